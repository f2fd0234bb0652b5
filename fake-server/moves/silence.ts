import { defineMove } from './move.js';

/** Stop answering and sending (frames are read and dropped): keep-alive declares 408. */
export type Silence = { kind: 'silence' };

export const silence = defineMove<Silence>({ kind: 'silence', act: (conn) => conn.silence(true) });
