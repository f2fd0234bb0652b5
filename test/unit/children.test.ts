/**
 * Children die with the harness (harness/children.ts): a harness process that dies of an uncaught
 * exception takes the children it started with it, a detached one with its whole process group.
 */
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import { alive } from '../support/wait.js';


/** The pids of the processes in a process group (Linux /proc), excluding none. */
async function groupMembers(pgid: number): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const members: number[] = [];
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) members.push(pid);
  }
  return members;
}

test.skipIf(process.platform !== 'linux')('a harness that crashes takes its children with it, a detached one with its group', async () => {
  const harness = spawn(process.execPath, ['--import', 'tsx', 'test/support/dies-with-harness.mjs'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  harness.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => harness.once('exit', resolve));
  expect(code, 'the harness died of its uncaught exception').toBe(1);
  const { plain, leader } = JSON.parse(out.trim().split('\n')[0]!) as { plain: number; leader: number };
  // Bounded wait: SIGKILL is immediate, reaping by init may take a moment.
  const deadline = Date.now() + 5_000;
  let left: number[] = [];
  while (Date.now() < deadline) {
    left = [plain, leader, ...(await groupMembers(leader))].filter(alive);
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(left, 'processes still alive after the harness died').toEqual([]);
});
