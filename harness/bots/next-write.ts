/**
 * The next write into a session directory, seen from outside the process making it: an unmodified
 * bot has no write marks, but the kernel reports its files changing (inotify, through fs.watch).
 * A kill issued on that event lands while the store is writing: crash-during-write for any bot.
 */
import { watch } from 'node:fs';

/** Resolves true at the first file change in `dir`, false after `timeoutMs` with none. */
export function nextWriteIn(dir: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = (wrote: boolean) => {
      clearTimeout(timer);
      watcher?.close();
      resolve(wrote);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    try {
      watcher = watch(dir, () => done(true));
      watcher.on('error', () => done(false));
    } catch {
      done(false); // no directory yet: nothing is being written
    }
  });
}

/**
 * Resolves once `dir` has seen no file change for `quietMs` (at most `timeoutMs` in all): writes a
 * store had under way (a saveCreds queued behind another) are done before the directory goes.
 */
export function quietIn(dir: string, quietMs: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    let quiet: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(quiet);
      clearTimeout(limit);
      watcher?.close();
      resolve();
    };
    const limit = setTimeout(done, timeoutMs);
    const wait = () => {
      clearTimeout(quiet);
      quiet = setTimeout(done, quietMs);
    };
    wait();
    try {
      watcher = watch(dir, wait);
      watcher.on('error', done);
    } catch {
      done(); // no directory: nothing is being written
    }
  });
}
