import { defineMove, isCode, MoveValidationError } from './move.js';

/** `<stream:error code=X/>` then close: 515 restart required, 503, 500, 401, ... */
export type StreamError = { kind: 'stream-error'; code: number };

export const streamError = defineMove<StreamError>({
  kind: 'stream-error',
  parse(m) {
    if (!isCode(m.code)) throw new MoveValidationError('"stream-error" needs "code", an integer status such as 515');
    return { kind: 'stream-error', code: m.code };
  },
  closeCode: (move) => move.code,
  act: (conn, move) => conn.sendAndClose({ tag: 'stream:error', attrs: { code: String(move.code) } }),
});
