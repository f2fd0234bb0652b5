import { defineMove } from './move.js';

/** `<stream:error><conflict type="replaced"/>`: another instance took over (440). */
export type Conflict = { kind: 'conflict' };

export const conflict = defineMove<Conflict>({
  kind: 'conflict',
  closeCode: () => 440,
  act: (conn) => conn.sendAndClose({ tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] }),
});
