/**
 * The CI scenario suite's time-scaled part (test/support/ci-suite.ts says what runs where and why),
 * first half: the seed's first symptoms on the older supported versions (the other half is
 * scenarios-suite-more.test.ts, a second file so vitest runs the halves on both cores). In-process,
 * time-scaled, through the same vitest helper a bot's own suite uses (harness/vitest.ts). A failure
 * prints the smallest schedule and a paste-ready replay; an undecided run fails too. SCENARIO_SEED
 * replays a suite.
 */
import { test } from 'vitest';
import { scenarioSuite } from '../../harness/vitest.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { TIME_SCALE, timeScaledPart } from '../support/ci-suite.js';

const [older] = timeScaledPart();
if (older) scenarioSuite(older.scenarios.slice(0, 4).map((name) => SCENARIOS[name]!), { versions: older.versions, scale: TIME_SCALE });
else test.skip('one Baileys version under test (BAILEYS_VERSIONS): it runs in virtual-suite.test.ts', () => {});
