import { expect, test } from 'vitest';
import { parseProblem } from '../../harness/session/store.js';

test('a JSON text cut anywhere reads as truncated; garbage inside reads as corrupt', () => {
  const full = JSON.stringify({ noiseKey: { private: { type: 'Buffer', data: 'AAAA' } }, registrationId: 123, me: { id: '1:2@s.whatsapp.net' } });
  const problems = new Set<string>();
  for (let cut = 1; cut < full.length; cut++) {
    const text = full.slice(0, cut);
    try {
      JSON.parse(text);
    } catch (err) {
      problems.add(parseProblem(text, err));
    }
  }
  expect([...problems]).toEqual(['truncated']);
  const garbled = full.replace('"me"', '"me" x');
  expect(() => JSON.parse(garbled)).toThrow();
  try {
    JSON.parse(garbled);
  } catch (err) {
    expect(parseProblem(garbled, err)).toBe('corrupt');
  }
  expect(parseProblem('  \n', new Error('Unexpected end of JSON input'))).toBe('empty');
});
