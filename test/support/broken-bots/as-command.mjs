// Runs a broken-bot module as an unmodified command would run: `node as-command.mjs <name>`, its
// socket URL and session directory from the environment baileys-chaos gives every command bot, its
// Baileys from a plain `import '@whiskeysockets/baileys'` (the redirect preload loads the version
// under test). Stops on SIGTERM.
const name = process.argv[2];
const { default: connect } = await import(new URL(`./${name}.mjs`, import.meta.url).href);
const baileys = await import('@whiskeysockets/baileys');
const handle = await connect({ baileys, wsUrl: process.env.BAILEYS_CHAOS_WS_URL, authDir: process.env.BAILEYS_CHAOS_AUTH_DIR });
// A bot process lives on whatever its connection does (it serves other things): when its loop
// gives up, the process stays, and so does the outage; a process manager never sees it fail.
const alive = setInterval(() => {}, 1 << 30);
process.once('SIGTERM', () => {
  clearInterval(alive);
  handle.stop();
  process.exit(0);
});
