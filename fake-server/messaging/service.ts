/**
 * Chat messages through the fake server, both directions, end-to-end encrypted with libsignal:
 * the in-process API (`server.messages`) and the hooks a connection delegates to.
 */
import type { DeviceRegistry } from '../devices.js';
import type { EventLog } from '../events.js';
import type { BinaryNode } from '../protocol/binary-node.js';
import { answerGroup, answerKeyRequest, answerPrivacy, answerUsync, type Resolver } from './answers.js';
import { Directory, GROUP, parseJid, type ContactInfo } from './directory.js';
import { Inbound } from './inbound.js';
import { MessageKeyLedger } from './key-reuse.js';
import { KeyStore, parseKeyUpload } from './key-store.js';
import type { MessagingLink, OpenLinks } from './link.js';
import { Outbound, type OutboundMessage } from './outbound.js';

export { MessageRequestError } from './inbound.js';

export interface InboundSummary {
  id: string;
  from: string;
  text: string;
  deliveries: { to: string; state: string; attempts: number; resends: number; offline: boolean; enc?: string; receipts: string[]; error?: string }[];
}

/** The bot's messages as the contacts received them (outbound.ts's record, as plain data). */
export type OutboundSummary = OutboundMessage;

export class MessageService {
  readonly keys = new KeyStore();
  readonly directory: Directory;
  private readonly inbound: Inbound;
  private readonly outbound: Outbound;
  private readonly resolver: Resolver;

  constructor(deps: { events: EventLog; devices: DeviceRegistry; lidFor(user: string): string; openLinks: OpenLinks; wallSeconds(): string }) {
    this.directory = new Directory(deps.lidFor);
    this.resolver = { directory: this.directory, keys: this.keys, devices: deps.devices, lidFor: deps.lidFor };
    this.inbound = new Inbound({ ...deps, directory: this.directory, keys: this.keys });
    this.outbound = new Outbound(this.resolver, this.inbound, new MessageKeyLedger());
  }

  // ---- in-process API ---------------------------------------------------------------------

  /**
   * A contact sends the bot a text: `from` a contact jid (GET /contacts), `to` a bot device jid or
   * its user jid (every device). Delivered now to an open connection, else queued for the next login.
   */
  send(req: { from: string; to: string; text: string; id?: string }): { id: string } {
    return this.inbound.send(req);
  }

  contacts(): ContactInfo[] {
    return this.directory.list();
  }

  /** The simulated group: every contact and every registered bot is a member. */
  group(): { jid: string; subject: string } {
    return { jid: GROUP.jid, subject: GROUP.subject };
  }

  /** Messages to the bot, each with what became of it per bot device. */
  list(): InboundSummary[] {
    return [...this.inbound.messages.values()].map((m) => ({
      id: m.id,
      from: m.from,
      text: m.text,
      deliveries: [...m.deliveries.values()].map((d) => ({
        to: d.to,
        state: d.state,
        attempts: d.attempts,
        resends: d.resends,
        offline: d.offline,
        ...(d.sealed ? { enc: d.sealed.enc } : {}),
        receipts: [...d.receipts],
        ...(d.error ? { error: d.error } : {}),
      })),
    }));
  }

  /** Messages from the bot to contacts, as the contacts decrypted them. */
  sent(): OutboundSummary[] {
    return [...this.outbound.messages.values()].map((m) => ({ ...m, recipients: [...m.recipients], decryptedBy: [...m.decryptedBy] }));
  }

  // ---- connection hooks -------------------------------------------------------------------

  /** `<iq xmlns="encrypt" type="set">`: the device's keys (malformed: recorded, the count still rises). */
  onKeyUpload(link: MessagingLink, iq: BinaryNode): void {
    if (!link.device) return;
    try {
      this.keys.upload(link.device.jid, parseKeyUpload(iq));
    } catch (err) {
      link.record('protocol-error', { error: `key upload: ${(err as Error).message}` });
    }
  }

  answerUsync(link: MessagingLink, iq: BinaryNode): BinaryNode[] {
    const me = parseJid(link.device?.jid ?? '');
    return answerUsync(this.resolver, iq, { user: me?.user ?? '', device: me?.device ?? 0 });
  }

  answerKeyRequest(_link: MessagingLink, iq: BinaryNode): BinaryNode[] {
    return answerKeyRequest(this.resolver, iq);
  }

  /** Group metadata for the simulated group (undefined for any other). */
  answerGroup(groupJid: string | undefined): BinaryNode[] | undefined {
    return answerGroup(this.resolver, groupJid);
  }

  answerPrivacy(): BinaryNode[] {
    return answerPrivacy();
  }

  onOpen(link: MessagingLink): void {
    this.inbound.onOpen(link);
  }

  onClosed(link: MessagingLink): void {
    this.inbound.onClosed(link);
  }

  /** `<message>`, `<receipt>`, `<ack>` from the bot. */
  onStanza(link: MessagingLink, node: BinaryNode): void {
    if (!link.device) return;
    if (node.tag === 'message') return this.outbound.onMessage(link, node);
    if (node.tag === 'receipt') {
      this.inbound.onReceipt(link, node);
      // WhatsApp acks every receipt (Baileys waits for none, but a real server sends it).
      link.sendNode({ tag: 'ack', attrs: { class: 'receipt', id: node.attrs.id ?? '', from: node.attrs.to ?? 's.whatsapp.net', ...(node.attrs.type ? { type: node.attrs.type } : {}) } });
      return;
    }
    if (node.tag === 'ack' && node.attrs.class === 'message') this.inbound.onAck(link, node);
  }
}
