#!/usr/bin/env node
// Installs the real OpenClaw gateway for `--bot openclaw` (harness/bots/openclaw.ts) into a cache
// directory, as a new user would get it, with no other dependency than npm:
//   node/      the npm package node-<platform>-<arch>@24 (OpenClaw needs Node >= 24.16)
//   openclaw/  openclaw@2026.9.6 (npm install --prefix, libsignal overridden to the npm release)
//   home/      a template HOME where `openclaw plugins install @openclaw/whatsapp@2026.9.6` ran with
//              that Node; each run's fresh HOME links its ~/.openclaw/npm to home/.openclaw/npm
// Idempotent: what is present is skipped. The last line printed is JSON:
//   {"node": "/abs/node", "openclaw": "/abs/openclaw.mjs", "home": "/abs/template-home"}
// Usage: node scripts/install-openclaw.mjs [--dir DIR]
//   default DIR: ${BAILEYS_CHAOS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/baileys-chaos}/openclaw (harness/cache.ts)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const OPENCLAW_VERSION = '2026.9.6';
const PLUGIN_SPEC = `@openclaw/whatsapp@${OPENCLAW_VERSION}`;
const NODE_MIN = [24, 16, 0];
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('Usage: node scripts/install-openclaw.mjs [--dir DIR]\n');
  process.exit(0);
}
const dirFlag = args.indexOf('--dir');
if (dirFlag >= 0 && !args[dirFlag + 1]) fail('--dir needs a directory');
const cacheRoot = process.env.BAILEYS_CHAOS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'baileys-chaos');
const dir = resolve(dirFlag >= 0 ? args[dirFlag + 1] : join(cacheRoot, 'openclaw'));

function fail(message) {
  process.stderr.write(`install-openclaw: ${message}\n`);
  process.exit(1);
}
function say(message) {
  process.stdout.write(`${message}\n`);
}
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
function versionAtLeast(version, min) {
  const parts = version.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i];
  }
  return true;
}
/** A child's environment without anything that would leak this process's Node or OpenClaw setup. */
function cleanEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_OPTIONS' || k.startsWith('OPENCLAW_') || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
function run(cmd, argv, opts) {
  say(`  $ ${[cmd, ...argv].join(' ')}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts });
  if (r.error) fail(`${cmd} failed to start: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${argv.join(' ')} exited with ${r.status ?? r.signal}`);
}
function timed(label, fn) {
  const t0 = Date.now();
  fn();
  say(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
function npmInstall(prefix, spec, pathPrefix) {
  mkdirSync(prefix, { recursive: true });
  // Our own package.json so npm installs here and never walks up to an enclosing project.
  writeFileSync(join(prefix, 'package.json'), `${JSON.stringify({ name: 'baileys-chaos-openclaw-cache', private: true, overrides: { libsignal: '6.0.0' } }, null, 2)}\n`);
  const env = cleanEnv(pathPrefix ? { PATH: `${pathPrefix}:${process.env.PATH ?? ''}` } : {});
  run('npm', ['install', '--prefix', prefix, spec, '--no-audit', '--no-fund', '--loglevel=warn'], { env });
}
function nodeVersion(bin) {
  const r = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

say(`OpenClaw ${OPENCLAW_VERSION} for baileys-chaos, in ${dir}`);
mkdirSync(dir, { recursive: true });

// 1. Node >= 24.16, from npm.
const nodeDir = join(dir, 'node');
const node = join(nodeDir, 'node_modules', NODE_PACKAGE, 'bin', 'node');
const haveNode = existsSync(node) ? nodeVersion(node) : undefined;
if (haveNode && versionAtLeast(haveNode, NODE_MIN)) {
  say(`node: ${haveNode} present (${node}), skipped`);
} else {
  say(`node: installing ${NODE_PACKAGE}@24 (${haveNode ? `found ${haveNode}, too old` : 'none yet'})`);
  timed('node', () => npmInstall(nodeDir, `${NODE_PACKAGE}@24`));
  const v = nodeVersion(node);
  if (!v) fail(`no Node binary at ${node} after installing ${NODE_PACKAGE}@24 (is there a build of it for ${process.platform}-${process.arch}?)`);
  if (!versionAtLeast(v, NODE_MIN)) fail(`${NODE_PACKAGE}@24 gave Node ${v}; OpenClaw needs >= ${NODE_MIN.join('.')}`);
  say(`node: ${v}`);
}
const nodeBin = dirname(node);

// 2. openclaw itself (its CLI runs under the Node above; npm runs under it too).
const ocDir = join(dir, 'openclaw');
const ocPkg = join(ocDir, 'node_modules', 'openclaw', 'package.json');
const openclaw = join(ocDir, 'node_modules', 'openclaw', 'openclaw.mjs');
if (readJson(ocPkg)?.version === OPENCLAW_VERSION && existsSync(openclaw)) {
  say(`openclaw: ${OPENCLAW_VERSION} present, skipped`);
} else {
  say(`openclaw: installing openclaw@${OPENCLAW_VERSION}`);
  timed('openclaw', () => npmInstall(ocDir, `openclaw@${OPENCLAW_VERSION}`, nodeBin));
  if (readJson(ocPkg)?.version !== OPENCLAW_VERSION || !existsSync(openclaw)) fail(`openclaw@${OPENCLAW_VERSION} did not install into ${ocDir}`);
}

// 3. The WhatsApp plugin, installed by OpenClaw itself into a template HOME.
const home = join(dir, 'home');
const projects = join(home, '.openclaw', 'npm', 'projects');
function pluginInstalled() {
  if (!existsSync(projects)) return undefined;
  for (const name of readdirSync(projects)) {
    if (!name.startsWith('openclaw-whatsapp-')) continue;
    const plugin = join(projects, name, 'node_modules', '@openclaw', 'whatsapp');
    const baileys = join(plugin, 'node_modules', 'baileys', 'package.json');
    if (readJson(join(plugin, 'package.json'))?.version === OPENCLAW_VERSION && existsSync(baileys)) return plugin;
  }
  return undefined;
}
let plugin = pluginInstalled();
if (plugin) {
  say(`plugin: ${PLUGIN_SPEC} present (${plugin}), skipped`);
} else {
  say(`plugin: openclaw plugins install ${PLUGIN_SPEC} (HOME=${home})`);
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const env = cleanEnv({ HOME: home, PATH: `${nodeBin}:${process.env.PATH ?? ''}`, OPENCLAW_NO_AUTO_UPDATE: '1', DO_NOT_TRACK: '1' });
  timed('plugin', () => run(node, [openclaw, 'plugins', 'install', PLUGIN_SPEC], { env, cwd: home }));
  plugin = pluginInstalled();
  if (!plugin) fail(`openclaw plugins install ${PLUGIN_SPEC} left no plugin under ${projects}`);
  say(`plugin: ${plugin} (Baileys ${readJson(join(plugin, 'node_modules', 'baileys', 'package.json'))?.version})`);
}

const result = { node, openclaw, home };
writeFileSync(join(dir, 'install.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
