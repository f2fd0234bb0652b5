/**
 * Processes found by a variable in their environment. A --jobs child's bot commands run in process
 * groups of their own (so a release can end a bot's whole tree), which a SIGKILLed child cannot end:
 * nothing of its own runs. Every process it started inherits its environment, so its parent finds
 * them by the child's work root (harness/work-root.ts) and ends them. Linux (/proc) only: elsewhere
 * none are found.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Pids of the live processes whose environment has `name=value`. */
export async function processesTagged(name: string, value: string): Promise<number[]> {
  const entry = Buffer.from(`${name}=${value}\0`);
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((p) => /^\d+$/.test(p)).map(Number);
  const tagged = await Promise.all(
    pids.map(async (pid) => {
      // Another user's process, or one gone meanwhile: not ours.
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      if (!environ) return undefined;
      const at = environ.indexOf(entry);
      return at === 0 || (at > 0 && environ[at - 1] === 0) ? pid : undefined;
    }),
  );
  return tagged.filter((pid): pid is number => pid !== undefined && pid !== process.pid);
}

/**
 * SIGKILLs every process tagged `name=value`, again until none is left (one may fork while the
 * others go), at most `rounds` times; returns how many were killed.
 */
export async function killTagged(name: string, value: string, rounds = 5): Promise<number> {
  // Distinct pids: one SIGKILLed in a round may still be dying (its /proc entry readable) in the next.
  const killed = new Set<number>();
  for (let round = 0; round < rounds; round++) {
    const pids = await processesTagged(name, value);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        /* gone already */
      }
    }
  }
  return killed.size;
}
