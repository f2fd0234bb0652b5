/**
 * Loads a module the user names (--bot, --supervisor): JavaScript directly, TypeScript through
 * tsx, so a bot written in TypeScript runs without a build step, from a clone or an installed
 * package alike.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;

export async function importUserModule(path: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(resolve(path)).href;
  if (!TYPESCRIPT.test(path)) return (await import(url)) as Record<string, unknown>;
  const { tsImport } = await import('tsx/esm/api');
  return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
}
