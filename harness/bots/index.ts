/**
 * Choosing the bot under test from what the user names: the reference supervisor (default), a
 * Supervisor subclass (`--supervisor`), a module (`--bot ./my-bot.js`), a command (`--bot-cmd`),
 * or the OpenClaw preset (`--bot openclaw`). One place, used by every command and by scenarioSuite.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Supervisor } from '../supervisor/supervisor.js';
import { BotSetupError, type Bot } from './bot.js';
import { RESTART_POLICIES, shellCommandBot, type RestartPolicy } from './command-bot.js';
import { moduleBot } from './module-bot.js';
import { supervisorBot, type SupervisorClass } from './supervisor-bot.js';
import { importUserModule } from '../load-user-module.js';
import { DEFAULT_SPEED } from '../time/warp.js';
import { OPENCLAW_DEFAULT_SPEED } from './openclaw.js';

export { BotSetupError, type Bot, type BotClient, type BotClientContext, type BotReport } from './bot.js';
export { commandBot, shellCommandBot, type RestartPolicy } from './command-bot.js';
export { moduleBot, type Connector, type ConnectorContext, type ConnectorHandle } from './module-bot.js';
export { supervisorBot, type SupervisorClass } from './supervisor-bot.js';

export interface BotChoice {
  /** A Supervisor subclass module. */
  supervisor?: string;
  /** A module path, or "openclaw". */
  bot?: string;
  /** A shell command. */
  botCmd?: string;
  restart?: string;
  /** Where a command bot keeps its session, relative to its directory (default auth_info_baileys). */
  authDir?: string;
  /** Node >= 24.16 for OpenClaw. */
  node?: string;
}

/** Resolves what the user named into a Bot, or throws a one-line BotSetupError saying what to do. */
export async function chooseBot(choice: BotChoice): Promise<Bot> {
  const named = [choice.supervisor && '--supervisor', choice.bot && '--bot', choice.botCmd && '--bot-cmd'].filter(Boolean);
  if (named.length > 1) throw new BotSetupError(`Failed to choose the bot under test: ${named.join(' and ')} both name one. Give one of them.`);
  if (choice.restart !== undefined && !RESTART_POLICIES.includes(choice.restart as RestartPolicy)) throw new BotSetupError(`--restart must be one of ${RESTART_POLICIES.join(', ')}, got "${choice.restart}"`);
  if ((choice.restart !== undefined || choice.authDir !== undefined) && !choice.botCmd && choice.bot !== 'openclaw') throw new BotSetupError('--restart and --auth-dir apply to a command bot: add --bot-cmd.');
  if (choice.botCmd) return shellCommandBot({ command: choice.botCmd, ...(choice.restart ? { restart: choice.restart as RestartPolicy } : {}), ...(choice.authDir ? { authDir: choice.authDir } : {}) });
  if (choice.bot === 'openclaw') {
    const { openclawBot } = await import('./openclaw-bot.js');
    return openclawBot({ ...(choice.node ? { nodePath: choice.node } : {}), ...(choice.restart ? { restart: choice.restart as RestartPolicy } : {}) });
  }
  if (choice.bot) {
    const bot = moduleBot(choice.bot);
    await bot.prepare!();
    return bot;
  }
  if (choice.supervisor) return supervisorBot(await loadSupervisorModule(choice.supervisor), choice.supervisor);
  return supervisorBot();
}

/**
 * The speed a command's runs take when it is given none, known from the command line alone (the
 * speed is chosen before the command runs again under the warp, before its bot is built): the
 * bot's own `defaultSpeed`, else DEFAULT_SPEED.
 */
export function defaultSpeedOfChoice(choice: Pick<BotChoice, 'bot' | 'botCmd' | 'supervisor'>): number {
  return choice.bot === 'openclaw' && !choice.botCmd && !choice.supervisor ? OPENCLAW_DEFAULT_SPEED : DEFAULT_SPEED;
}

/** A module whose default (or `Supervisor`) export subclasses the reference Supervisor. */
export async function loadSupervisorModule(path: string): Promise<SupervisorClass> {
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(path);
  } catch (err) {
    throw new BotSetupError(`Failed to load the supervisor module ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const Impl = (mod.default ?? mod.Supervisor) as SupervisorClass | undefined;
  if (typeof Impl !== 'function' || !(Impl === Supervisor || Impl.prototype instanceof Supervisor)) {
    throw new BotSetupError(`Failed to load the supervisor module ${path}: its default export must be a class extending Supervisor (import { Supervisor } from "baileys-chaos"). For your own socket code use --bot ./module.js (a connect(ctx) function) or --bot-cmd 'node bot.js'.`);
  }
  return Impl;
}
