import { defineMove, MoveValidationError } from './move.js';

/** `<stream:error><TAG/></stream:error>` with no code (e.g. `bad-mac`): Baileys maps the child. */
export type StreamErrorChild = { kind: 'stream-error-child'; child: string };

export const streamErrorChild = defineMove<StreamErrorChild>({
  kind: 'stream-error-child',
  parse(m) {
    if (typeof m.child !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(m.child)) throw new MoveValidationError('"stream-error-child" needs "child", a tag name such as "bad-mac"');
    return { kind: 'stream-error-child', child: m.child };
  },
  closeCode: () => 500,
  act: (conn, move) => conn.sendAndClose({ tag: 'stream:error', attrs: {}, content: [{ tag: move.child, attrs: {} }] }),
});
