/**
 * Where a run makes its temp dir. A process that carries out runs for a parent (--jobs) gets a
 * directory of its own from it: the parent removes it when the process ends, so a process killed
 * at its deadline (SIGKILL: nothing of its own runs) leaves no run's files behind.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';

export const WORK_ROOT_ENV = 'BAILEYS_CHAOS_WORK_ROOT';

export const workRoot = (env: NodeJS.ProcessEnv = process.env): string => env[WORK_ROOT_ENV] || tmpdir();

/** Removes a run's directory, or a child's: retried, a last write may still land while it goes (ENOTEMPTY). */
export const removeWorkDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true, maxRetries: 5 });
