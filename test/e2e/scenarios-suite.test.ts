/**
 * The CI scenario suite (test/support/ci-suite.ts), first half: the seed's first symptoms, on every
 * supported version (the other half is scenarios-suite-more.test.ts, a second file so vitest runs
 * the halves on both cores). In-process, time-scaled, through the same vitest helper a bot's own
 * suite uses (harness/vitest.ts). A failure prints the smallest schedule and a paste-ready replay;
 * an undecided run fails too. SCENARIO_SEED replays a suite.
 */
import { scenarioSuite } from '../../harness/vitest.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { ciSuite } from '../support/ci-suite.js';

const [everyVersion] = ciSuite();
scenarioSuite(everyVersion!.scenarios.slice(0, 4).map((name) => SCENARIOS[name]!));
