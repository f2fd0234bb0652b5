/**
 * The one cache directory baileys-chaos writes outside a project:
 * $BAILEYS_CHAOS_CACHE, else $XDG_CACHE_HOME/baileys-chaos, else ~/.cache/baileys-chaos.
 * Under it: baileys/<version>/ (versions installed on demand) and openclaw/ (npm run setup:openclaw).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.BAILEYS_CHAOS_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'baileys-chaos');
}
