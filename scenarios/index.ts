import type { Scenario } from '../harness/scenario.js';
import { keepaliveTimeout } from './keepalive-timeout.js';
import { streamErrors } from './stream-errors.js';

/** Every scenario, by name. */
export const SCENARIOS: Record<string, Scenario> = {
  [keepaliveTimeout.name]: keepaliveTimeout,
  [streamErrors.name]: streamErrors,
};
