import { defineMove } from './move.js';

/** `<xmlstreamend/>` then a WebSocket close: the server ended the stream (428). */
export type EndStream = { kind: 'end-stream' };

export const endStream = defineMove<EndStream>({ kind: 'end-stream', closeCode: () => 428, act: (conn) => conn.sendAndClose({ tag: 'xmlstreamend', attrs: {} }) });
