/**
 * The CI scenario suite, first half (the seed's log lines; the other half is
 * scenarios-suite-more.test.ts, a second file so vitest runs the halves on both cores): every
 * scenario that runs without special privileges, through the same vitest helper a bot's own
 * suite uses (harness/vitest.ts). A failure prints the smallest schedule and a paste-ready
 * replay; an undecided run fails too. SCENARIO_SEED replays a suite.
 */
import { scenarioSuite } from '../../harness/vitest.js';
import { keepaliveTimeout } from '../../scenarios/keepalive-timeout.js';
import { loggedOut } from '../../scenarios/logged-out.js';
import { serverRestartHerd } from '../../scenarios/server-restart-herd.js';
import { streamErrors } from '../../scenarios/stream-errors.js';

// The seed's first symptoms, on every supported version.
scenarioSuite([streamErrors, keepaliveTimeout, loggedOut, serverRestartHerd]);
