// Module loader hooks for the redirect preload: a bot's own `import '@whiskeysockets/baileys'` (or
// the unscoped `'baileys'`, and their subpaths) resolves to the Baileys version under test, so the
// bot's code and project stay untouched. Registered by harness/redirect.mjs with module.register.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileSync } from 'node:fs';

let dir;
let marker;
let noted = false;

export function initialize(data) {
  dir = data.dir;
  marker = data.marker;
}

const NAMES = ['@whiskeysockets/baileys', 'baileys'];

export async function resolve(specifier, context, next) {
  const name = NAMES.find((n) => specifier === n || specifier.startsWith(`${n}/`));
  if (!dir || !name) return next(specifier, context);
  const sub = specifier.slice(name.length);
  const entry = createRequire(join(dir, 'package.json')).resolve(sub ? join(dir, sub) : dir);
  if (marker && !noted) {
    noted = true;
    try {
      writeFileSync(marker, JSON.stringify({ redirected: specifier, to: dir, from: context.parentURL ?? null }));
    } catch {
      // the marker is informative only
    }
  }
  return { url: pathToFileURL(entry).href, shortCircuit: true };
}
