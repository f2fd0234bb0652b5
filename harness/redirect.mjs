// Black-box preload: `node --import baileys-chaos/redirect your-bot.js`
// Points an unmodified bot's Baileys at the fake server and makes it trust the test root, with
// no change to the bot's code. It imports the bot's own Baileys (resolved from the working
// directory, the very module instance the bot will import), sets the default `waWebSocketUrl`
// (used unless the bot passes its own) and trusts the root through trustTestRoot.
//   BAILEYS_CHAOS_WS_URL        the fake server's wsUrl (required)
//   BAILEYS_CHAOS_TRUST_KEY     the test root, base64 (GET /trust); or
//   BAILEYS_CHAOS_CONTROL_URL   the control API, to fetch it
//   BAILEYS_CHAOS_BAILEYS_MODULE  the bot's Baileys specifier (default @whiskeysockets/baileys)
//   BAILEYS_CHAOS_BAILEYS_DIR   a Baileys package directory: the bot's `import '@whiskeysockets/baileys'`
//                               (or 'baileys') loads this one instead (the version under test)
//   BAILEYS_CHAOS_MARKER        a file the loader hook writes when it redirected the bot's import
//   BAILEYS_CHAOS_CHDIR         the directory to run the bot in (its relative session path lands there)
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { trustTestRoot } from './baileys/trust.mjs';

const fail = (message) => {
  process.stderr.write(`baileys-chaos/redirect: ${message}\n`);
  process.exit(78);
};

const wsUrl = process.env.BAILEYS_CHAOS_WS_URL;
if (!wsUrl) fail('Failed to redirect the bot: BAILEYS_CHAOS_WS_URL is not set. Set it to the wsUrl that "baileys-chaos serve --json" prints.');
let trustKey = process.env.BAILEYS_CHAOS_TRUST_KEY;
if (!trustKey && process.env.BAILEYS_CHAOS_CONTROL_URL) {
  try {
    trustKey = (await (await fetch(new URL('/trust', process.env.BAILEYS_CHAOS_CONTROL_URL))).json()).publicKey;
  } catch (err) {
    fail(`Failed to fetch the test root from ${process.env.BAILEYS_CHAOS_CONTROL_URL}/trust: ${err.message}. Is "baileys-chaos serve" running?`);
  }
}
if (!trustKey) fail('Failed to redirect the bot: set BAILEYS_CHAOS_TRUST_KEY (GET /trust) or BAILEYS_CHAOS_CONTROL_URL.');

const specifier = process.env.BAILEYS_CHAOS_BAILEYS_MODULE ?? '@whiskeysockets/baileys';
const versionDir = process.env.BAILEYS_CHAOS_BAILEYS_DIR;
let entry;
if (versionDir) {
  // The version under test replaces whatever the bot would import; the hook notes that it did.
  register(new URL('./baileys/redirect-hooks.mjs', import.meta.url), { data: { dir: versionDir, marker: process.env.BAILEYS_CHAOS_MARKER } });
  entry = createRequire(join(versionDir, 'package.json')).resolve(versionDir);
} else {
  try {
    entry = createRequire(join(process.cwd(), 'noop.js')).resolve(specifier);
  } catch {
    fail(`Failed to find the bot's Baileys ("${specifier}") from ${process.cwd()}. Run from the bot's directory, or set BAILEYS_CHAOS_BAILEYS_MODULE.`);
  }
}
if (process.env.BAILEYS_CHAOS_CHDIR) process.chdir(process.env.BAILEYS_CHAOS_CHDIR);
const baileys = await import(pathToFileURL(entry).href);
baileys.DEFAULT_CONNECTION_CONFIG.waWebSocketUrl = wsUrl;
trustTestRoot(baileys, Buffer.from(trustKey, 'base64'));
