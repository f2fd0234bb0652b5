import { expect, test } from 'vitest';
import { exitCodeFor } from '../../../harness/report/exit-code.js';

test.each([
  [['valid', 'valid'], false, 0],
  [[], false, 3],
  [[], true, 3],
  [['valid', 'invalid'], false, 1],
  [['valid', 'unknown'], false, 3],
  [['valid', 'unknown'], true, 0],
  [['valid', 'error'], false, 4],
  [['valid', 'error'], true, 4],
  [['invalid', 'error'], false, 1],
  [['invalid', 'unknown', 'error'], true, 1],
  [['unknown', 'error'], false, 4],
  [['unknown', 'error'], true, 4],
  [['invalid'], true, 1],
] as const)('%j with allowUnknown %s → exit %i', (verdicts, allowUnknown, code) => {
  expect(exitCodeFor([...verdicts], { allowUnknown })).toBe(code);
});

test('unknown is not allowed by default: undecided, exit 3', () => {
  expect(exitCodeFor(['unknown'])).toBe(3);
});
