import { expect, test } from 'vitest';
import { parseSupervisorConfig } from '../../../harness/supervisor/config.js';

test('the troubleshooting page\'s openclaw.json maps onto the policy', () => {
  const cfg = parseSupervisorConfig({
    channels: {
      whatsapp: {
        reconnect: { maxRetries: 20, baseDelay: 3000, maxDelay: 60000, backoffFactor: 1.5 },
        keepAlive: { intervalMs: 25000, timeoutMs: 60000 },
        sessionStore: { type: 'sqlite', path: '~/.openclaw/sessions/whatsapp.db' },
      },
    },
  });
  expect(cfg.backoff).toEqual({ baseDelayMs: 3000, maxDelayMs: 60000, factor: 1.5, jitter: 'none', jitterFraction: 0 });
  expect(cfg).toMatchObject({ maxRetries: 20, keepAliveIntervalMs: 25000, defaultQueryTimeoutMs: 60000, resetAttemptsAfterOpenMs: 0 });
  expect(cfg.sessionStore!.type).toBe('sqlite');
  expect(cfg.sessionStore!.path).toMatch(/^\/.*\.openclaw\/sessions\/whatsapp\.db$/);
});

test('OpenClaw\'s real web.reconnect keys map onto the same policy, with its defaults', () => {
  const cfg = parseSupervisorConfig({ web: { reconnect: { maxAttempts: 0 }, heartbeatSeconds: 60, whatsapp: { keepAliveIntervalMs: 25000, connectTimeoutMs: 60000 } } });
  expect(cfg.backoff).toEqual({ baseDelayMs: 2000, maxDelayMs: 30000, factor: 1.8, jitter: 'proportional', jitterFraction: 0.25 });
  expect(cfg).toMatchObject({ maxRetries: 0, resetAttemptsAfterOpenMs: 60000, keepAliveIntervalMs: 25000, connectTimeoutMs: 60000 });
});

test.each([
  [{ channels: { whatsapp: { reconnect: { maxRetry: 3 } } } }, /unknown key "channels\.whatsapp\.reconnect\.maxRetry"\. Known here: maxRetries/],
  [{ channels: { whatsapp: { reconnect: { baseDelay: '3s' } } } }, /"channels\.whatsapp\.reconnect\.baseDelay" must be an integer ≥ 0, got "3s"/],
  [{ channels: { whatsapp: { reconnect: { backoffFactor: 0.5 } } } }, /backoffFactor" must be a number ≥ 1/],
  [{ channels: { whatsapp: { reconnect: { jitter: 'lots' } } } }, /jitter" must be one of "none", "full", "equal", "decorrelated"/],
  [{ web: { reconnect: { jitter: 2 } } }, /"web\.reconnect\.jitter" must be a number 0–1/],
  [{ channels: { whatsapp: { reconnect: {} } }, web: { reconnect: {} } }, /both "channels\.whatsapp\.reconnect" and "web\.reconnect"/],
  [{ channels: { whatsapp: { reconnect: { baseDelay: 5000, maxDelay: 100 } } } }, /maximum delay \(100 ms\) is below the base delay/],
  [[], /"" must be an object/],
])('bad config %j is a clear error', (input, message) => {
  expect(() => parseSupervisorConfig(input, 'openclaw.json')).toThrow(message);
});
