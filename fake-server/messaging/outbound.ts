/**
 * Messages from the bot: the server acks the stanza (as WhatsApp does once it holds it), then each
 * recipient device decrypts its copy with its own Signal session, as the real peer would. A
 * contact that reads the text sends the bot a delivery receipt.
 */
import { childNode, childNodes, type BinaryNode } from '../protocol/binary-node.js';
import type { Resolver } from './answers.js';
import { botUserOf } from './answers.js';
import type { Inbound } from './inbound.js';
import type { MessageKeyLedger } from './key-reuse.js';
import type { MessagingLink } from './link.js';
import { decodeChatText, decodeSenderKeyDistribution, unpad } from './proto.js';

export interface OutboundMessage {
  id: string;
  /** The bot device that sent it. */
  from: string;
  /** The contact it was for (its phone-number jid), if it was for one. */
  to?: string;
  text?: string;
  inReplyTo?: string;
  /** Every device jid the stanza carried a copy for (contacts' and the bot's own). */
  recipients: string[];
  /** The contact device jids (as addressed) that decrypted their copy. */
  decryptedBy: string[];
  error?: string;
}

/** A contact asks for a message again at most this many times (Baileys resends at most 5 times too). */
export const MAX_ANSWER_RETRIES = 5;

const be4 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

export class Outbound {
  readonly messages = new Map<string, OutboundMessage>();
  /** Retry receipts sent per message id and contact device (as addressed). */
  private readonly retries = new Map<string, number>();

  constructor(
    private readonly r: Resolver,
    private readonly inbound: Inbound,
    private readonly ledger: MessageKeyLedger,
  ) {}

  onMessage(link: MessagingLink, node: BinaryNode): void {
    const id = node.attrs.id;
    const bot = link.device?.jid;
    if (!id || !bot) return;
    const peer = node.attrs.category === 'peer';
    link.sendNode({ tag: 'ack', attrs: { class: 'message', id, from: node.attrs.to ?? 's.whatsapp.net', t: link.serverSeconds() } });
    if (!peer) link.record('message-acked', { id });
    const copies: { jid: string; enc: BinaryNode }[] = [];
    for (const to of childNodes(childNode(node, 'participants'))) {
      const enc = childNode(to, 'enc');
      if (to.tag === 'to' && to.attrs.jid && enc) copies.push({ jid: to.attrs.jid, enc });
    }
    const direct = childNode(node, 'enc');
    const group = this.r.directory.group(node.attrs.to);
    // A group message: the text once as skmsg, the sender key to members in the participants.
    const skmsg = group && direct?.attrs.type === 'skmsg' && direct.content instanceof Uint8Array ? Buffer.from(direct.content) : undefined;
    if (direct && node.attrs.to && !group) copies.push({ jid: node.attrs.to, enc: direct });
    // Never an unhandled rejection: whatever goes wrong opening the copies is recorded.
    this.open(link, id, bot, copies, peer, group?.jid, skmsg).catch((err: Error) => link.record('protocol-error', { error: `opening message ${id}: ${err.message}` }));
  }

  private async open(link: MessagingLink, id: string, bot: string, copies: { jid: string; enc: BinaryNode }[], peer: boolean, group?: string, skmsg?: Buffer): Promise<void> {
    const record: OutboundMessage = { id, from: bot, recipients: copies.map((c) => c.jid), decryptedBy: [] };
    let contactJid: string | undefined = group;
    let receiptFrom: string | undefined;
    const errors: string[] = [];
    /** Contact devices that could not decrypt their copy: each asks the bot for it again. */
    const failed: { jid: string; registrationId: number }[] = [];
    for (const { jid, enc } of copies) {
      const contact = this.r.directory.contactDevice(jid);
      const botUser = contact ? undefined : botUserOf(this.r, jid);
      const party = contact?.party ?? (botUser && (jid.includes(':') ? undefined : this.r.directory.phoneOf(botUser)));
      if (!party || !(enc.content instanceof Uint8Array)) continue;
      if (contact && !group) contactJid = contact.contact.jid;
      // Before the decrypt, which fails for a copy sealed with a key already used: this says why. Scoped
      // to the device, not the jid as addressed (its PN and LID jids share one session).
      const reuse = contact && this.ledger.see(bot, `${contact.contact.jid}#${contact.device}`, id, enc.attrs.type ?? '', enc.content);
      if (reuse) link.record('message-key-reused', { id, firstId: reuse.firstId, from: bot, to: jid, counter: reuse.counter });
      try {
        const plain = unpad(await party.decrypt(bot, enc.attrs.type ?? '', Buffer.from(enc.content)));
        const key = group && contact ? decodeSenderKeyDistribution(plain) : undefined;
        if (key && group && contact) contact.party.learnSenderKey(group, bot, key.distribution);
        const text = group ? undefined : decodeChatText(plain);
        if (contact && !group) record.decryptedBy.push(jid);
        if (contact && text && record.text === undefined) {
          record.to = contact.contact.jid;
          record.text = text.text;
          record.inReplyTo = text.quotedId ?? this.inbound.latestQuotedBy(contact.contact.jid, text.text);
        }
      } catch (err) {
        // The phone's copy is checked too, but only a contact's failure is the bot's problem.
        if (contact) {
          errors.push(`${jid}: ${(err as Error).message}`);
          if (!group) failed.push({ jid, registrationId: contact.party.registrationId });
        }
      }
    }
    if (group && skmsg) {
      // Every member device that holds the bot's sender key reads the one skmsg.
      for (const { contact, device, party } of this.r.directory.allContactDevices()) {
        const chain = party.senderKeyOf(group, bot);
        if (!chain) continue;
        const jid = contact.jid.replace('@', device ? `:${device}@` : '@');
        try {
          const text = decodeChatText(unpad(chain.decrypt(skmsg)));
          record.decryptedBy.push(jid);
          if (text && record.text === undefined) {
            record.to = group;
            record.text = text.text;
            record.inReplyTo = text.quotedId ?? this.inbound.latestQuotedBy(group, text.text);
            receiptFrom ??= contact.jid;
          }
        } catch (err) {
          errors.push(`${jid}: ${(err as Error).message}`);
        }
      }
    }
    if (peer || !contactJid) return;
    if (group && !skmsg) return; // a sender-key-only stanza, no text
    this.messages.set(id, record);
    if (record.text !== undefined) {
      link.record('message-answered', { id, from: bot, to: record.to, text: record.text, ...(record.inReplyTo ? { inReplyTo: record.inReplyTo } : {}) });
      // The contact's phone got it: a delivery receipt, which the bot shows as status 3.
      if (link.alive()) link.sendNode({ tag: 'receipt', attrs: { from: contactJid, id, t: link.serverSeconds(), ...(group && receiptFrom ? { participant: receiptFrom } : {}) } });
    } else {
      record.to = contactJid;
      record.error = errors.join('; ') || 'no text in the message';
      link.record('message-undecryptable', { id, from: bot, to: contactJid, error: record.error });
    }
    for (const f of failed) this.askAgain(link, id, bot, f.jid, f.registrationId);
  }

  /**
   * What a WhatsApp phone does with a message it cannot decrypt: a retry receipt to the sender
   * (`<receipt type="retry">` with `<retry count id t v>` and its `<registration>`), so the
   * sender starts a fresh session from the phone's key bundle and sends the same id again
   * (Baileys: `sendMessagesAgain`, from its recent-message cache or the bot's `getMessage`).
   * At most MAX_ANSWER_RETRIES times per message and device.
   */
  private askAgain(link: MessagingLink, id: string, bot: string, from: string, registrationId: number): void {
    const key = `${id}|${from}`;
    const count = (this.retries.get(key) ?? 0) + 1;
    if (count > MAX_ANSWER_RETRIES || !link.alive()) return;
    this.retries.set(key, count);
    const t = link.serverSeconds();
    link.sendNode({
      tag: 'receipt',
      attrs: { id, from, type: 'retry', t },
      content: [
        { tag: 'retry', attrs: { count: String(count), id, t, v: '1' } },
        { tag: 'registration', attrs: {}, content: be4(registrationId) },
      ],
    });
    link.record('message-retry-requested', { id, from: bot, to: from, retryCount: count });
  }
}
