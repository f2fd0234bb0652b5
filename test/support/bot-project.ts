/**
 * A bot's own project for black-box tests: examples/plain-bot/bot.mjs with its own node_modules
 * (the Baileys version under test as @whiskeysockets/baileys, pino, and baileys-chaos for the
 * preload), started unmodified with `node --import baileys-chaos/redirect bot.mjs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FakeWhatsAppServer } from '../../fake-server/server.js';
import { onCleanup, tempDir } from '../helpers.js';

export async function botProject(version: string): Promise<string> {
  const project = await tempDir('bc-bot-');
  await copyFile('examples/plain-bot/bot.mjs', join(project, 'bot.mjs'));
  await mkdir(join(project, 'node_modules', '@whiskeysockets'), { recursive: true });
  await symlink(resolve(`node_modules/baileys-${version}`), join(project, 'node_modules', '@whiskeysockets', 'baileys'));
  await symlink(resolve('.'), join(project, 'node_modules', 'baileys-chaos'));
  await symlink(resolve('node_modules/pino'), join(project, 'node_modules', 'pino'));
  return project;
}

export interface RunningBot {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function startBot(project: string, server: FakeWhatsAppServer): RunningBot {
  const bot = spawn(process.execPath, ['--import', 'baileys-chaos/redirect', 'bot.mjs'], {
    cwd: project,
    env: { ...process.env, BAILEYS_CHAOS_WS_URL: server.wsUrl, BAILEYS_CHAOS_TRUST_KEY: server.trustedPublicKey.toString('base64') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  bot.stdout!.on('data', (d) => (output += d));
  bot.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((r) => bot.once('exit', (code) => r(code)));
  onCleanup(() => new Promise<void>((r) => (bot.exitCode !== null || bot.signalCode !== null ? r() : (bot.once('exit', () => r()), bot.kill('SIGKILL')))));
  return { process: bot, output: () => output, exited };
}
