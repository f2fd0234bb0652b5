import { defineMove } from './move.js';

/** The TCP connection destroyed with no close frame (a crash, a NAT dropping state): 428. */
export type Drop = { kind: 'drop' };

export const drop = defineMove<Drop>({ kind: 'drop', closeCode: () => 428, act: (conn) => conn.drop() });
