import { S_WHATSAPP_NET } from '../protocol/binary-node.js';
import { defineMove } from './move.js';

/** `<ib><downgrade_webclient/></ib>` (411). */
export type Downgrade = { kind: 'downgrade' };

export const downgrade = defineMove<Downgrade>({
  kind: 'downgrade',
  closeCode: () => 411,
  act: (conn) => conn.sendAndClose({ tag: 'ib', attrs: { from: S_WHATSAPP_NET }, content: [{ tag: 'downgrade_webclient', attrs: {} }] }),
});
