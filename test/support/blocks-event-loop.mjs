// A module bot that never returns to its event loop (a busy loop in its start, as a bot stuck in a
// synchronous retry might): no timer in its process fires again. Only the --jobs parent can end it.
export default async function connect() {
  for (;;);
}
