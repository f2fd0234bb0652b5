import { expect, test } from 'vitest';
import { applyValues, gridValues, makeSetting, parseAssignment, parseRange, settingPath } from '../../../harness/runner/settings.js';

test('short keys live under channels.whatsapp; web.* and channels.* paths are taken as they are', () => {
  expect(settingPath('reconnect.baseDelay')).toEqual(['channels', 'whatsapp', 'reconnect', 'baseDelay']);
  expect(settingPath('web.reconnect.initialMs')).toEqual(['web', 'reconnect', 'initialMs']);
});

test('a setting edits a copy of the user document and parses it with the one config parser', () => {
  const doc = { channels: { whatsapp: { reconnect: { maxRetries: 5 } } } };
  const s = makeSetting(doc, { 'reconnect.baseDelay': 500, 'reconnect.backoffFactor': 2 }, 'test');
  expect(s.label).toBe('baseDelay=500 backoffFactor=2');
  expect(s.config.backoff).toMatchObject({ baseDelayMs: 500, factor: 2 });
  expect(s.config.maxRetries).toBe(5);
  expect(doc.channels.whatsapp.reconnect).toEqual({ maxRetries: 5 }); // untouched
  expect(applyValues({}, { 'web.reconnect.initialMs': 100 })).toEqual({ web: { reconnect: { initialMs: 100 } } });
  expect(() => makeSetting({}, { 'reconnect.baseDelai': 1 }, 'test')).toThrow(/unknown key "channels.whatsapp.reconnect.baseDelai"/);
  expect(() => makeSetting({}, { 'reconnect.backoffFactor': 0.5 }, 'test')).toThrow(/backoffFactor" must be a number ≥ 1/);
});

test('ranges and assignments parse or say what is expected', () => {
  expect(parseRange('reconnect.baseDelay=500..5000')).toEqual({ key: 'reconnect.baseDelay', lo: 500, hi: 5000 });
  expect(parseAssignment('reconnect.baseDelay=750')).toEqual(['reconnect.baseDelay', 750]);
  expect(() => parseRange('reconnect.baseDelay=5000..500')).toThrow(/empty/);
  expect(() => parseRange('baseDelay')).toThrow(/key=lo\.\.hi/);
  expect(() => parseAssignment('x=fast')).toThrow(/key=number/);
});

test('the grid has at least the asked number of points, evenly spaced, ends included', () => {
  const g = gridValues([parseRange('a=500..5000'), parseRange('b=1.2..3')], 12);
  expect(g.length).toBeGreaterThanOrEqual(12);
  expect(g).toHaveLength(16);
  expect(new Set(g.map((p) => p.a))).toEqual(new Set([500, 2000, 3500, 5000]));
  expect(new Set(g.map((p) => p.b))).toEqual(new Set([1.2, 1.8, 2.4, 3]));
  expect(gridValues([parseRange('a=1..10')], 12)).toHaveLength(12);
});
