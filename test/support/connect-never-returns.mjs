// A module bot whose connect() never returns and never blocks: it waits on something that never
// comes (a lock never released, a promise never settled). The run holds until its deadline.
export default async function connect() {
  process.stderr.write('connect-never-returns: connect() called, waiting for good\n');
  await new Promise(() => {});
}
