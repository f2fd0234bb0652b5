/**
 * Children die with the harness. A process the harness starts (a bot command and its process
 * group, a client process, toxiproxy-server) is killed when the harness process exits, even
 * through an uncaught exception or process.exit, which skip every release step; otherwise it is
 * orphaned and keeps its port (seen: toxiproxy-servers left behind by crashed runs). SIGINT and
 * SIGTERM are released in order by runner/interrupt.ts; SIGKILL cannot be caught.
 */
import type { ChildProcess } from 'node:child_process';

/** Live children, each with whether its whole process group (a detached child) goes with it. */
const live = new Map<ChildProcess, boolean>();
let hooked = false;

export function dieWithHarness<C extends ChildProcess>(child: C, group = false): C {
  if (child.pid === undefined) return child; // never started ('error' follows): nothing to kill
  live.set(child, group);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    process.once('exit', killLive);
  }
  return child;
}

/** Synchronous, as 'exit' handlers must be. */
function killLive(): void {
  for (const [child, group] of live) {
    try {
      if (group) process.kill(-child.pid!, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      /* gone already */
    }
  }
}
