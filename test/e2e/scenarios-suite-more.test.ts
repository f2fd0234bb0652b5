/**
 * The CI scenario suite (test/support/ci-suite.ts, which says why each scenario runs on which
 * versions), second half (see scenarios-suite.test.ts): conflicts and crashes on every supported
 * version; network, login and clock faults, the handshake race and the random mix on the newest.
 */
import { scenarioSuite } from '../../harness/vitest.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { ciSuite } from '../support/ci-suite.js';

const [everyVersion, newest] = ciSuite();
const byName = (names: string[]) => names.map((name) => SCENARIOS[name]!);
scenarioSuite(byName(everyVersion!.scenarios.slice(4)));
scenarioSuite(byName(newest!.scenarios), { versions: newest!.versions });
