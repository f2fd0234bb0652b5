// A bot project's own chaos suite, run by test/e2e/warp.test.ts with a plain `vitest run` and under
// `baileys-chaos warp`: the vitest helper as a user writes it, with no time settings. Not a test
// file of this repository's suite (its name does not end in .test.ts).
import { scenarioSuite } from '../../../harness/vitest.js';
import { keepaliveTimeout } from '../../../scenarios/keepalive-timeout.js';

scenarioSuite([keepaliveTimeout], { versions: ['7.0.0-rc14'], numRuns: 1, seed: 7 });
