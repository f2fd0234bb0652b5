/**
 * The CI scenario suite: every scenario that runs without special privileges, 2 runs each. The
 * seed's first symptoms, conflicts and crashes on every supported version; network, login and clock
 * faults, the handshake race and the random mix on the newest only, to keep CI short (`npx
 * baileys-chaos run --baileys 6.7.21` runs them on the other). The handshake race runs on the
 * newest only too: on 6.7.21 it is a real race whose outcome depends on the machine's load (README,
 * Findings) — a finding, not a verdict CI can repeat.
 *
 * How npm test runs it (README, Virtual time): every version with real-world settings in virtual
 * time, through the compiled CLI as an installed package runs it (test/e2e/virtual-suite.test.ts,
 * the last pass, alone). Until 2026-11-29 6.7.21's part ran in-process at time scale 0.04: its
 * first-frame race fired in virtual time under the suite's own load (1 run in 34 in a CI sim),
 * when every run's process loaded the sources through tsx. The compiled CLI halves that load
 * (bench/virtual-suite.ts), and the race's guard keeps its real length on 6.x
 * (harness/baileys/first-frame-race.ts).
 * bench/virtual-suite.ts times the whole suite.
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
