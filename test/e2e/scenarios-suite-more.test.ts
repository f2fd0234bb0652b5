/**
 * The CI scenario suite's time-scaled part (test/support/ci-suite.ts), second half (see
 * scenarios-suite.test.ts): conflicts and crashes on the older supported versions.
 */
import { test } from 'vitest';
import { scenarioSuite } from '../../harness/vitest.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { TIME_SCALE, timeScaledPart } from '../support/ci-suite.js';

const [older] = timeScaledPart();
if (older) scenarioSuite(older.scenarios.slice(4).map((name) => SCENARIOS[name]!), { versions: older.versions, scale: TIME_SCALE });
else test.skip('one Baileys version under test (BAILEYS_VERSIONS): it runs in virtual-suite.test.ts', () => {});
