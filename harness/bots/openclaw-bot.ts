/**
 * `--bot openclaw`: the real `openclaw gateway` as the bot under test, one gateway per client in an
 * isolated HOME with the minimal config, its session provisioned into OpenClaw's credentials
 * directory, and OPENCLAW_WHATSAPP_WEB_SOCKET_URL set to the client's socket URL.
 */
import { commandBot, type RestartPolicy } from './command-bot.js';
import type { Bot } from './bot.js';
import { OPENCLAW_DEFAULT_SPEED, openclawLaunch, prepareOpenClawHome } from './openclaw.js';

/** What OpenClaw's WhatsApp channel logs once it has set up a connection (2026.9.6). */
const READY_LINE = 'Listening for WhatsApp inbound messages';

export async function openclawBot(opts: { nodePath?: string; restart?: RestartPolicy } = {}): Promise<Bot> {
  const install = await openclawLaunch(opts.nodePath ? { nodePath: opts.nodePath } : {});
  const bot = commandBot({
    label: 'openclaw',
    flags: ['--bot openclaw', ...(opts.nodePath ? [`--node ${opts.nodePath}`] : [])],
    restart: opts.restart ?? 'always',
    async plan(ctx) {
      const p = await prepareOpenClawHome(install, { workDir: ctx.workDir, index: ctx.index, wsUrl: ctx.wsUrl });
      // Its channel keeps setting up for a while after the login (under a 15x warp, a minute of
      // virtual time): a connection dropped then goes unnoticed until its 5-minute watchdog.
      return { ...p, preload: false, readyWhen: { file: p.logFile, text: READY_LINE } };
    },
  });
  // The gateway boots slowly (it logged in about 15 s after start, real-world.md), and its start-up
  // is CPU work (42 s of it in one run under the warp): one run at a time unless --jobs says more,
  // and a slower clock by default.
  return { ...bot, startTimeoutMs: 90_000, defaultJobs: 1, defaultSpeed: OPENCLAW_DEFAULT_SPEED };
}
