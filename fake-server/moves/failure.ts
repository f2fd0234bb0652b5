import { defineMove, isCode, MoveValidationError } from './move.js';

/** `<failure reason=R/>` on a live connection. */
export type Failure = { kind: 'failure'; reason: number };

export const failure = defineMove<Failure>({
  kind: 'failure',
  parse(m) {
    if (!isCode(m.reason)) throw new MoveValidationError('"failure" needs "reason", an integer status such as 401');
    return { kind: 'failure', reason: m.reason };
  },
  closeCode: (move) => move.reason,
  act: (conn, move) => conn.failAndClose(move.reason),
});
