import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, expect, test } from 'vitest';
import { killTagged, processesTagged } from '../../harness/tagged-processes.js';

const started: ReturnType<typeof spawn>[] = [];
afterEach(() => started.splice(0).forEach((c) => c.kill('SIGKILL')));

/** A process that waits for good, with `env` added to this one's environment; resolves once it runs. */
async function waiting(env: Record<string, string>) {
  const child = spawn(process.execPath, ['-e', 'process.send("up"); setInterval(() => {}, 60000)'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  started.push(child);
  await once(child, 'message');
  return child;
}

test.skipIf(process.platform !== 'linux')('finds and kills only the processes whose environment has the tag, exactly', async () => {
  const tag = `/tmp/bc-run-child-${process.pid}-${Date.now()}`;
  const mine = await waiting({ BC_TEST_TAG: tag });
  const other = await waiting({ BC_TEST_TAG: `${tag}-other` }); // a longer value is another tag
  const untagged = await waiting({});
  expect(await processesTagged('BC_TEST_TAG', tag)).toEqual([mine.pid]);
  const exited = once(mine, 'exit');
  expect(await killTagged('BC_TEST_TAG', tag)).toBe(1);
  expect((await exited)[1]).toBe('SIGKILL');
  expect(await processesTagged('BC_TEST_TAG', tag)).toEqual([]);
  expect(other.exitCode ?? other.signalCode).toBeNull();
  expect(untagged.exitCode ?? untagged.signalCode).toBeNull();
});
