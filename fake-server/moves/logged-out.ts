import { defineMove } from './move.js';

/** `<stream:error code="401"><conflict type="device_removed"/>`; the device is removed. */
export type LoggedOut = { kind: 'logged-out' };

export const loggedOut = defineMove<LoggedOut>({
  kind: 'logged-out',
  closeCode: () => 401,
  act(conn) {
    conn.removeDevice();
    conn.sendAndClose({ tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] });
  },
});
