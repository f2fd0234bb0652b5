// The same kind of suite with a deliberately broken bot (it reconnects after a 401): run by
// test/e2e/warp.test.ts, whose plain `vitest run` of it must fail with the invariant and a replay.
import { moduleBot } from '../../../harness/bots/module-bot.js';
import { scenarioSuite } from '../../../harness/vitest.js';
import { loggedOut } from '../../../scenarios/logged-out.js';

scenarioSuite([loggedOut], { versions: ['7.0.0-rc14'], numRuns: 2, seed: 7, bot: moduleBot('test/support/broken-bots/retries-after-401.mjs') });
