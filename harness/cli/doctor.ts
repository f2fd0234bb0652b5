/**
 * `baileys-chaos doctor`: what this machine and project give the harness. Each line says what a
 * part enables, whether it is here (and where), and the one command that installs it. Only Node
 * and a Baileys to drive are required; the rest widen which faults and bots can run.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledVersions, projectBaileys } from '../baileys/versions.js';
import { defaultOpenClawCacheDir, OPENCLAW_DEFAULT_SPEED, OPENCLAW_SETUP, OPENCLAW_VERSION } from '../bots/openclaw.js';
import { cacheRoot } from '../cache.js';
import { dockerAvailable, findToxiproxyBinary } from '../faults/toxiproxy/backend.js';
import { EXIT } from '../report/exit-code.js';
import { parseFlags, type Command } from './command.js';
import { DEFAULT_SPEED, faketimeLibrary } from '../time/warp.js';

export interface Finding {
  part: string;
  /** What it enables. */
  enables: string;
  /** Where it was found, or undefined when missing. */
  found?: string;
  /** Why it is missing or limited, and the one command that installs it. */
  missing?: string;
  required?: boolean;
}

const onPath = (name: string, env = process.env) => (env.PATH ?? '').split(delimiter).map((d) => join(d, name)).find((p) => existsSync(p));

const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

function nodeModuleHere(name: string): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.resolve(name)));
  } catch {
    return undefined;
  }
}

/** Every check, in the order `doctor` prints them. */
export async function diagnose(): Promise<Finding[]> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const project = projectBaileys();
  const bundled = bundledVersions();
  const toxiproxy = findToxiproxyBinary();
  const faketime = faketimeLibrary();
  const root = process.getuid?.() === 0;
  const nft = onPath('nft');
  const ip = onPath('ip');
  const chromium = CHROMIUM.map((c) => onPath(c)).find(Boolean);
  const openclaw = join(defaultOpenClawCacheDir(), 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs');
  const testcontainers = nodeModuleHere('@testcontainers/toxiproxy');
  return [
    {
      part: 'Node',
      enables: 'baileys-chaos itself (Node >= 20)',
      required: true,
      ...(major >= 20 ? { found: `${process.version} (${process.execPath})` } : { missing: `${process.version} is too old: install Node 20 or newer (e.g. npm i -g node@22, or nvm install 22)` }),
    },
    {
      part: 'Baileys',
      enables: 'the client every run drives (default: your project\'s own)',
      required: true,
      ...(project
        ? { found: `${project.name} ${project.version} (${dirname(project.packageJson)})` }
        : bundled.length
          ? { found: `none in this project; pinned beside baileys-chaos: ${bundled.join(', ')}` }
          : { missing: 'none in this project (looked for @whiskeysockets/baileys and baileys from here up): npm i @whiskeysockets/baileys (or name one with --baileys VERSION: installed into the cache)' }),
    },
    {
      part: 'Toxiproxy server',
      enables: 'the real Toxiproxy for network faults (else the embedded twin, same toxics, runs in-process)',
      ...(toxiproxy ? { found: toxiproxy } : { missing: 'not found (the embedded twin is used): go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0 && mv "$(go env GOPATH)/bin/server" /usr/local/bin/toxiproxy-server' }),
    },
    {
      part: 'Docker + @testcontainers/toxiproxy',
      enables: 'Toxiproxy in a container when no binary is installed',
      ...(dockerAvailable() && testcontainers ? { found: testcontainers } : { missing: `${dockerAvailable() ? '' : 'no Docker engine reachable; '}${testcontainers ? '' : 'npm i -D @testcontainers/toxiproxy'}`.replace(/; $/, '') || undefined }),
    },
    {
      part: 'nftables + network namespaces',
      enables: 'packet faults (loss, delay, reorder) and the disk-full fault, in namespaces the run creates',
      ...(root && nft && ip ? { found: `${nft}, ${ip}, running as root` } : { missing: [root ? '' : 'needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN)', nft && ip ? '' : 'apt-get install -y nftables iproute2'].filter(Boolean).join('; ') }),
    },
    {
      part: 'libfaketime',
      enables: `virtual time, the default of run, compare, tune and replay (--speed ${DEFAULT_SPEED}, ${OPENCLAW_DEFAULT_SPEED} for --bot openclaw: real-world settings on a faster clock); without it pass --speed 1 (real time)`,
      ...(faketime ? { found: faketime } : { missing: 'apt-get install -y faketime libfaketime' }),
    },
    {
      part: 'Chromium',
      enables: 'rendering report.html headless (this repository\'s own report test; reports open in any browser)',
      ...(chromium ? { found: chromium } : { missing: 'apt-get install -y chromium' }),
    },
    {
      part: `OpenClaw ${OPENCLAW_VERSION} + Node 24`,
      enables: '--bot openclaw (the real gateway, as shipped)',
      ...(existsSync(openclaw) ? { found: dirname(openclaw) } : { missing: `${OPENCLAW_SETUP} (into ${defaultOpenClawCacheDir()})` }),
    },
  ];
}

export function renderFindings(findings: Finding[]): string {
  const lines = findings.map((f) => `${f.found ? 'ok  ' : f.required ? 'MISSING' : 'no  '}  ${f.part}: ${f.found ?? f.missing}\n        enables: ${f.enables}`);
  return [...lines, `cache: ${cacheRoot()} (BAILEYS_CHAOS_CACHE moves it)`].join('\n');
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'what this machine and project give the harness, and how to install what is missing',
  help: `Usage: baileys-chaos doctor [--json]

Checks Node, the Baileys your project has installed, a toxiproxy-server, Docker, nftables and
network namespaces, libfaketime, Chromium and OpenClaw: what each enables, where it was found, and
the one command that installs it. Exits 0 when what is required (Node, a Baileys) is here, else 4.`,
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } });
    const findings = await diagnose();
    process.stdout.write((values.json ? JSON.stringify(findings, null, 2) : renderFindings(findings)) + '\n');
    return findings.some((f) => f.required && !f.found) ? EXIT.harness : EXIT.ok;
  },
};
