import type { Scenario } from '../harness/scenario.js';
import { keepaliveTimeout } from './keepalive-timeout.js';
import { loggedOut } from './logged-out.js';
import { serverRestartHerd } from './server-restart-herd.js';
import { streamErrors } from './stream-errors.js';

/** Every scenario, by name. */
export const SCENARIOS: Record<string, Scenario> = {
  [keepaliveTimeout.name]: keepaliveTimeout,
  [streamErrors.name]: streamErrors,
  [loggedOut.name]: loggedOut,
  [serverRestartHerd.name]: serverRestartHerd,
};
