import { defineMove } from './move.js';

/** A WebSocket close frame and nothing else (428). */
export type WsClose = { kind: 'ws-close' };

export const wsClose = defineMove<WsClose>({ kind: 'ws-close', closeCode: () => 428, act: (conn) => conn.closeNow('ws-close') });
