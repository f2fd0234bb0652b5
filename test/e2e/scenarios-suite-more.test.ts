/**
 * The CI scenario suite, second half (see scenarios-suite.test.ts): conflicts and crashes on every
 * supported version; network, login and clock faults and the random mix on the newest only, to
 * keep CI short (`npx baileys-chaos run --baileys 6.7.21` runs them on the other). The handshake
 * race runs on the newest only too: on 6.7.21 it is a real race whose outcome depends on the
 * machine's load (README, Findings) — a finding, not a verdict CI can repeat.
 */
import { versionsUnderTest } from '../../harness/baileys/versions.js';
import { scenarioSuite } from '../../harness/vitest.js';
import { clockJumps } from '../../scenarios/clock-jumps.js';
import { conflict } from '../../scenarios/conflict.js';
import { crashDuringWrite } from '../../scenarios/crash-during-write.js';
import { handshakeRace } from '../../scenarios/handshake-race.js';
import { loginNeverCompletes } from '../../scenarios/login-never-completes.js';
import { randomMix } from '../../scenarios/random-mix.js';
import { unstableNetwork } from '../../scenarios/unstable-network.js';

scenarioSuite([conflict, crashDuringWrite]);
scenarioSuite([handshakeRace, unstableNetwork, loginNeverCompletes, clockJumps, randomMix], { versions: [versionsUnderTest().at(-1)!] });
