/**
 * `--bot openclaw`: the real `openclaw gateway` as the bot under test, one gateway per client in an
 * isolated HOME with the minimal config, its session provisioned into OpenClaw's credentials
 * directory, and OPENCLAW_WHATSAPP_WEB_SOCKET_URL set to the client's socket URL.
 */
import { commandBot, type RestartPolicy } from './command-bot.js';
import type { Bot } from './bot.js';
import { openclawLaunch, prepareOpenClawHome } from './openclaw.js';

export async function openclawBot(opts: { nodePath?: string; restart?: RestartPolicy } = {}): Promise<Bot> {
  const install = await openclawLaunch(opts.nodePath ? { nodePath: opts.nodePath } : {});
  const bot = commandBot({
    label: 'openclaw',
    flags: ['--bot openclaw', ...(opts.nodePath ? [`--node ${opts.nodePath}`] : [])],
    restart: opts.restart ?? 'always',
    async plan(ctx) {
      const p = await prepareOpenClawHome(install, { workDir: ctx.workDir, index: ctx.index, wsUrl: ctx.wsUrl });
      return { ...p, preload: false };
    },
  });
  // The gateway boots slowly (it logged in about 15 s after start, real-world.md).
  return { ...bot, startTimeoutMs: 90_000 };
}
