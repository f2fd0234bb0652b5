import { expect, test } from 'vitest';
import { DEFAULT_SUPERVISOR_CONFIG } from '../../../harness/supervisor/config.js';
import { scaleConfig } from '../../../harness/supervisor/scale.js';

test('scaling multiplies every reconnect duration, keeps floors, leaves zero (off) alone', () => {
  const c = scaleConfig({ ...DEFAULT_SUPERVISOR_CONFIG, resetAttemptsAfterOpenMs: 60_000 }, 0.04);
  expect(c.backoff).toMatchObject({ baseDelayMs: 120, maxDelayMs: 2400, factor: 1.5 });
  expect(c.keepAliveIntervalMs).toBe(1000);
  expect(c.resetAttemptsAfterOpenMs).toBe(2400);
  expect(c.loginTimeoutMs).toBe(3000); // 1.2 s scaled, floored: a login needs that much here
  expect(c.connectTimeoutMs).toBe(2000);
  expect(scaleConfig(DEFAULT_SUPERVISOR_CONFIG, 0.04).resetAttemptsAfterOpenMs).toBe(0);
  expect(scaleConfig(DEFAULT_SUPERVISOR_CONFIG, 1)).toEqual(DEFAULT_SUPERVISOR_CONFIG);
});
