/**
 * The CI scenario suite's scenarios and versions (test/e2e/scenarios-suite*.test.ts run them
 * in-process, time-scaled, in npm test) as CLI invocations with real-world settings: every scenario
 * that runs without special privileges, 2 runs each. The seed's first symptoms, conflicts and crashes on every supported version; network,
 * login and clock faults and the random mix on the newest only, to keep CI short (`npx
 * baileys-chaos run --baileys 6.7.21` runs them on the other). The handshake race runs on the
 * newest only too: on 6.7.21 it is a real race whose outcome depends on the machine's load (README,
 * Findings) — a finding, not a verdict CI can repeat. test/e2e/virtual-suite.test.ts runs it
 * (`npm run test:virtual-suite`; not in npm test yet: README, Virtual time); bench/virtual-suite.ts times it.
 */
import { versionsUnderTest } from '../../harness/baileys/versions.js';

export interface SuiteGroup {
  scenarios: string[];
  versions: string[];
}

export const ciSuite = (versions: string[] = versionsUnderTest()): SuiteGroup[] => [
  { scenarios: ['stream-errors', 'keepalive-timeout', 'logged-out', 'server-restart-herd', 'conflict', 'crash-during-write'], versions },
  { scenarios: ['handshake-race', 'unstable-network', 'login-never-completes', 'clock-jumps', 'random-mix'], versions: versions.slice(-1) },
];

export const CI_SUITE_RUNS = 2;
