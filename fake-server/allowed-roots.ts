/**
 * Where POST /devices may write: only under the allowed roots (serve's --allow-dir; by default the
 * working directory and the system temp dir), never through a symlink out of them. The path is
 * judged by the real path of its deepest existing part, so every symlink on the way is followed
 * before the comparison; the real path is what gets written to, so a `..` after a symlink cannot
 * lead elsewhere than what was checked.
 */
import { lstat, readdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** A location POST /devices refuses: 403 outside the roots, 400 when it cannot be a directory. */
export class AuthDirRefusedError extends Error {
  override name = 'AuthDirRefusedError';
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
  }
}

export function defaultAllowedDirs(): string[] {
  return [process.cwd(), tmpdir()];
}

/** The roots' real paths; a root that does not exist is the caller's mistake, said at start. */
export async function resolveAllowedRoots(dirs: string[]): Promise<string[]> {
  const roots: string[] = [];
  for (const dir of dirs) {
    try {
      roots.push(await realpath(resolve(dir)));
    } catch (err) {
      throw new Error(`Failed to start the control API: the allowed directory ${dir} cannot be used (${(err as Error).message}). Create it, or give another --allow-dir.`);
    }
  }
  return roots;
}

const within = (path: string, root: string) => {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
};

/**
 * The real directory to write `requested` into (relative paths are from the working directory),
 * or an AuthDirRefusedError saying why not.
 */
export async function placeUnderRoots(requested: string, roots: string[]): Promise<string> {
  const target = resolve(requested);
  const refuse = (why: string) =>
    new AuthDirRefusedError(403, `Failed to provision into ${requested}: ${why}. Allowed: ${roots.join(', ')}. Use a directory under one of them, or start serve with --allow-dir.`);
  let existing = target;
  const rest: string[] = [];
  for (;;) {
    const stat = await lstat(existing).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw new AuthDirRefusedError(403, `Failed to provision into ${requested}: ${existing} cannot be inspected (${err.message}). Use another directory.`);
    });
    if (stat || dirname(existing) === existing) break;
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  let real: string;
  try {
    real = await realpath(existing);
  } catch (err) {
    throw refuse(`${existing} is a symlink to a place that does not exist (${(err as NodeJS.ErrnoException).code})`);
  }
  const place = join(real, ...rest);
  if (!roots.some((root) => within(place, root))) {
    throw refuse(real === existing ? `${place} is outside the allowed directories` : `${existing} leads to ${real}, outside the allowed directories`);
  }
  if (!(await lstat(real)).isDirectory()) throw new AuthDirRefusedError(400, `Failed to provision into ${requested}: ${real} is a file, not a directory. Give a directory.`);
  if (!rest.length) await refuseSymlinksInside(place, refuse);
  return place;
}

/** A creds.json (or key file) that is a symlink would have the write land wherever it points. */
async function refuseSymlinksInside(dir: string, refuse: (why: string) => Error): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: Error) => {
    throw refuse(`it cannot be read (${err.message})`);
  });
  for (const entry of entries) {
    if (entry.isSymbolicLink()) throw refuse(`it holds a symlink, ${join(dir, entry.name)}, that a write would follow`);
  }
}
