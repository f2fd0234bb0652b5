/**
 * Messages from the simulated contacts to the bot: accepted, encrypted with the contact device's
 * Signal session, delivered to the bot's open connection(s) or queued until its next login,
 * redelivered until receipted, resent on a fresh session when the bot asks (retry receipt).
 */
import { randomBytes } from 'node:crypto';
import type { DeviceRegistry } from '../devices.js';
import type { EventLog } from '../events.js';
import { childNode, childNodes, type BinaryNode } from '../protocol/binary-node.js';
import type { Directory } from './directory.js';
import { parseJid } from './directory.js';
import type { KeyStore } from './key-store.js';
import { parseRetryKeys } from './key-store.js';
import type { MessagingLink, OpenLinks } from './link.js';
import type { SignalParty } from './party.js';
import { encodeChatText, encodeSenderKeyDistribution, padRandomMax16 } from './proto.js';

/** WhatsApp stops answering a message's retry receipts after this many (Baileys asks at most 5 times too). */
export const MAX_RESENDS = 5;
/** How long the offline marker waits for the queued messages' receipts before it is sent anyway. */
export const OFFLINE_MARKER_TIMEOUT_MS = 10_000;

export type DeliveryState = 'queued' | 'sent' | 'receipted' | 'rejected';

export interface Delivery {
  /** The bot device jid. */
  to: string;
  state: DeliveryState;
  /** Writes to a connection (deliveries, redeliveries and resends). */
  attempts: number;
  /** Resends answering retry receipts. */
  resends: number;
  offline: boolean;
  /** The connection it was last written to. */
  conn?: number;
  /** Receipt types seen ('' for a plain delivery receipt). */
  receipts: string[];
  /**
   * The ciphertext as last sealed: a redelivery writes the same bytes, as WhatsApp stores them.
   * A group message is `skmsg`, preceded by the sender key over the pairwise session (`skdm`)
   * until the device receipted one.
   */
  sealed?: { enc: 'pkmsg' | 'msg' | 'plaintext' | 'skmsg'; body: Buffer; session?: string; skdm?: Pairwise };
  error?: string;
}

/** A text sealed over the pairwise session; `session` names that session (its base key). */
export interface Pairwise {
  enc: 'pkmsg' | 'msg' | 'plaintext';
  body: Buffer;
  session?: string;
}

export interface InboundMessage {
  id: string;
  /** The contact's jid (`<user>@s.whatsapp.net`). */
  from: string;
  /** The contact device it comes from. */
  fromDevice: number;
  text: string;
  /** Seconds, the `t` the stanza carries. */
  t: string;
  /** The group it was sent in, if any. */
  group?: string;
  /** A group message is encrypted once with the sender's chain (and the key as it was just before). */
  groupSeal?: { distribution: Buffer; skmsg: Buffer };
  deliveries: Map<string, Delivery>;
}

export class MessageRequestError extends Error {
  override name = 'MessageRequestError';
}

export interface InboundDeps {
  events: EventLog;
  devices: DeviceRegistry;
  directory: Directory;
  keys: KeyStore;
  openLinks: OpenLinks;
  wallSeconds(): string;
}

interface Drain {
  waiting: Set<string>;
  count: number;
}

/** A WhatsApp-style message id: 3EB0 and 16 hex digits (upper case). */
export const newMessageId = () => `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;

export class Inbound {
  readonly messages = new Map<string, InboundMessage>();
  /** Per bot device: the promise chain its deliveries are sealed and written on, so they keep their order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly drains = new Map<number, Drain>();

  constructor(private readonly deps: InboundDeps) {}

  /** Accepts a message from a contact to a bot (a device jid, or a user jid for all its devices). */
  send(req: { from: string; to: string; text: string; id?: string }): { id: string } {
    const { directory, devices } = this.deps;
    if (typeof req.from !== 'string' || typeof req.to !== 'string' || typeof req.text !== 'string') {
      throw new MessageRequestError('Failed to accept the message: "from", "to" and "text" must be strings. Send {"from": a contact jid, "to": a bot jid, "text": "..."}.');
    }
    const sender = directory.contactDevice(req.from);
    if (!sender) {
      const known = directory.list().map((c) => c.jid).join(', ');
      throw new MessageRequestError(`Failed to accept the message: "from" ${JSON.stringify(req.from)} is not a simulated contact or device of one. Use one of ${known} (GET /contacts).`);
    }
    const to = parseJid(req.to);
    const group = directory.group(req.to);
    // Every registered bot is in the group; otherwise the user's devices, or the one device named.
    const targets = group
      ? devices.list().filter((d) => !d.removed)
      : !to || to.server !== 's.whatsapp.net'
        ? []
        : devices.list().filter((d) => !d.removed && d.user === to.user && (!/:\d+@/.test(req.to) || d.device === to.device));
    if (!targets.length) {
      throw new MessageRequestError(`Failed to accept the message: "to" ${JSON.stringify(req.to)} names no registered bot device. Use a device jid from GET /devices (e.g. "${devices.list()[0]?.jid ?? '15550000001:1@s.whatsapp.net'}") or its user jid.`);
    }
    const id = req.id ?? newMessageId();
    if (this.messages.has(id)) throw new MessageRequestError(`Failed to accept the message: id ${id} is taken. Leave "id" out for a fresh one.`);
    const msg: InboundMessage = { id, from: sender.contact.jid, fromDevice: sender.device, text: req.text, t: this.deps.wallSeconds(), deliveries: new Map(), ...(group ? { group: group.jid } : {}) };
    this.messages.set(id, msg);
    for (const device of targets) {
      const d: Delivery = { to: device.jid, state: 'queued', attempts: 0, resends: 0, offline: false, receipts: [] };
      msg.deliveries.set(device.jid, d);
      const links = this.deps.openLinks(device.jid);
      if (links.length) for (const link of links) this.deliver(link, msg, d, false);
      else this.deps.events.record('message-queued', null, { jid: device.jid, detail: { id, from: msg.from, to: device.jid, text: msg.text, ...(group ? { group: group.jid } : {}) } });
    }
    return { id };
  }

  /** A connection went active: its queued messages are delivered (offline), the marker follows their receipts. */
  onOpen(link: MessagingLink): void {
    const jid = link.device?.jid;
    const queued = jid ? [...this.messages.values()].filter((m) => m.deliveries.get(jid)?.state === 'queued') : [];
    if (!queued.length) return this.sendMarker(link, 0, 'nothing queued');
    this.drains.set(link.id, { waiting: new Set(queued.map((m) => m.id)), count: queued.length });
    for (const m of queued) this.deliver(link, m, m.deliveries.get(jid!)!, true);
    link.later(OFFLINE_MARKER_TIMEOUT_MS, () => this.finishDrain(link, 'timeout'));
  }

  /**
   * A connection closed: what it was given and never receipted goes back to the queue (WhatsApp
   * redelivers), or straight to the device's other open connection (the one that replaced it).
   */
  onClosed(link: MessagingLink): void {
    this.drains.delete(link.id);
    const jid = link.device?.jid;
    if (!jid) return;
    const others = this.deps.openLinks(jid).filter((l) => l.id !== link.id);
    for (const m of this.messages.values()) {
      const d = m.deliveries.get(jid);
      if (d?.state !== 'sent' || d.conn !== link.id) continue;
      d.state = 'queued';
      for (const other of others) this.deliver(other, m, d, false);
    }
  }

  /** The bot's `<receipt>` for ids it received (delivery, read, retry). */
  onReceipt(link: MessagingLink, node: BinaryNode): void {
    const jid = link.device?.jid;
    const type = node.attrs.type ?? '';
    const ids = [node.attrs.id, ...childNodes(childNode(node, 'list')).map((i) => i.attrs.id)].filter((x): x is string => !!x);
    for (const id of ids) {
      const m = this.messages.get(id);
      const d = jid ? m?.deliveries.get(jid) : undefined;
      if (!m || !d) continue;
      if (type === 'retry') this.onRetry(link, m, d, node);
      else if (type === '' || type === 'inactive' || type === 'read' || type === 'read-self' || type === 'played') {
        const first = d.state !== 'receipted';
        d.state = 'receipted';
        d.receipts.push(type);
        // The bot decrypted our pre-key message: the session is established, later ones go as `msg`.
        if (first) {
          const party = this.deps.directory.contactDevice(deviceJid(m))?.party;
          party?.confirmSession(d.to, d.sealed?.skdm?.session ?? d.sealed?.session);
          // It read the group message, so it holds our sender key: later ones go without it.
          if (m.group && d.sealed?.skdm) party?.senderKey(m.group).heldBy.add(d.to);
        }
        link.record('message-receipted', { id, from: m.from, to: d.to, ...(type ? { receiptType: type } : {}) });
        this.settled(link, id);
      }
    }
  }

  /**
   * The bot's `<ack class="message">` for an inbound id. Error 487 is Baileys' answer to a
   * ciphertext whose message key it already used ("Key used already or never filled", both
   * versions): it decrypted these bytes before (a redelivery after its receipt was lost with the
   * connection), so it holds the message. WhatsApp counts that as delivered and stops redelivering;
   * so does the server, recorded as `message-receipted` with `duplicate: true` (the bot's ack, not
   * a receipt), for a delivery written more than once. Any other error (500 after a retry
   * receipt) changes nothing.
   */
  onAck(link: MessagingLink, node: BinaryNode): boolean {
    const m = this.messages.get(node.attrs.id ?? '');
    const d = m && link.device ? m.deliveries.get(link.device.jid) : undefined;
    if (!m || !d) return false;
    if (node.attrs.error !== '487' || d.state === 'receipted') return true;
    if (d.attempts < 2) {
      // Never written before: the bot cannot have used its key; it refused the message.
      if (d.state === 'sent') {
        d.state = 'rejected';
        d.error = 'the bot refused it (ack error 487)';
        this.settled(link, m.id);
      }
      return true;
    }
    d.state = 'receipted';
    d.receipts.push('ack-487');
    link.record('message-receipted', { id: m.id, from: m.from, to: d.to, duplicate: true, ackError: 487 });
    this.settled(link, m.id);
    return true;
  }

  private onRetry(link: MessagingLink, m: InboundMessage, d: Delivery, node: BinaryNode): void {
    const retryCount = Number(childNode(node, 'retry')?.attrs.count ?? 1);
    link.record('message-decrypt-failed', { id: m.id, from: m.from, to: d.to, retryCount });
    try {
      const keys = parseRetryKeys(node);
      if (keys) this.deps.keys.refresh(d.to, keys);
    } catch {
      /* a malformed <keys>: resend with the bundle already held */
    }
    if (d.resends >= MAX_RESENDS) return;
    d.resends++;
    this.deliver(link, m, d, d.offline, d.resends);
  }

  private settled(link: MessagingLink, id: string): void {
    const drain = this.drains.get(link.id);
    if (!drain?.waiting.delete(id)) return;
    if (!drain.waiting.size) this.finishDrain(link, 'receipts');
  }

  private finishDrain(link: MessagingLink, after: string): void {
    const drain = this.drains.get(link.id);
    if (!drain) return;
    this.drains.delete(link.id);
    this.sendMarker(link, drain.count, after);
  }

  private sendMarker(link: MessagingLink, count: number, after: string): void {
    link.sendNode({ tag: 'ib', attrs: { from: 's.whatsapp.net' }, content: [{ tag: 'offline', attrs: { count: String(count) } }] });
    link.record('offline-marker', { count, after });
  }

  /** Seals (unless already sealed) and writes one delivery; `resend` > 0 seals on a fresh session with `count`. */
  private deliver(link: MessagingLink, m: InboundMessage, d: Delivery, offline: boolean, resend = 0): void {
    const prev = (this.chains.get(d.to) ?? Promise.resolve()).catch(() => undefined);
    const next = prev.then(async () => {
      if (!link.alive()) {
        if (d.state !== 'receipted') d.state = 'queued';
        return;
      }
      try {
        if (!d.sealed || resend) d.sealed = await this.seal(m, d, resend > 0);
      } catch (err) {
        d.state = 'rejected';
        d.error = (err as Error).message;
        link.record('protocol-error', { error: `Failed to encrypt message ${m.id} for ${d.to}: ${d.error}` });
        this.settled(link, m.id);
        return;
      }
      if (!link.alive()) {
        if (d.state !== 'receipted') d.state = 'queued';
        return;
      }
      try {
        link.sendNode(messageNode(this.deps.directory, m, d.sealed, offline, resend));
      } catch (err) {
        // A write that fails leaves the message queued for the next login.
        if (d.state !== 'receipted') d.state = 'queued';
        link.record('protocol-error', { error: `Failed to write message ${m.id} to ${d.to}: ${(err as Error).message}` });
        return;
      }
      if (d.state !== 'receipted') d.state = 'sent';
      d.conn = link.id;
      d.attempts++;
      d.offline = offline;
      link.record('message-sent', { id: m.id, from: m.from, to: d.to, text: m.text, enc: d.sealed.enc, offline, attempt: d.attempts, ...(m.group ? { group: m.group, senderKey: !!d.sealed.skdm } : {}) });
    });
    this.chains.set(d.to, next);
    next
      .catch(() => undefined) // the body records its own failures; the chain must go on
      .finally(() => {
        if (this.chains.get(d.to) === next) this.chains.delete(d.to);
      });
  }

  /** Encrypts the text for the bot device: a session from its uploaded bundle if there is none (or `fresh`). */
  private async seal(m: InboundMessage, d: Delivery, fresh: boolean): Promise<NonNullable<Delivery['sealed']>> {
    const party = this.deps.directory.contactDevice(deviceJid(m))!.party;
    if (m.group) {
      const chain = party.senderKey(m.group);
      if (!m.groupSeal) {
        const distribution = chain.key.distribution();
        m.groupSeal = { distribution, skmsg: chain.key.encrypt(padRandomMax16(encodeChatText({ text: m.text }))) };
      }
      const needsKey = fresh || !chain.heldBy.has(d.to);
      const skdm = needsKey ? await this.sealPairwise(party, d, encodeSenderKeyDistribution(m.group, m.groupSeal.distribution), fresh) : undefined;
      return { enc: 'skmsg', body: m.groupSeal.skmsg, ...(skdm ? { skdm } : {}) };
    }
    return this.sealPairwise(party, d, encodeChatText({ text: m.text }), fresh);
  }

  /** Encrypts for the bot device over the pairwise session: one from its uploaded bundle if there is none (or `fresh`). */
  private async sealPairwise(party: SignalParty, d: Delivery, plain: Buffer, fresh: boolean): Promise<Pairwise> {
    if (fresh || !party.hasSession(d.to)) {
      const bundle = this.deps.keys.take(d.to);
      if (!bundle) {
        // A device that never uploaded keys (provisioned with them held by the server): nothing
        // to encrypt to, so the text goes as <plaintext>, which both Baileys versions accept.
        return { enc: 'plaintext', body: plain };
      }
      if (bundle.preKey) {
        const device = this.deps.devices.list().find((x) => x.jid === d.to);
        if (device) device.preKeyCount = Math.max(0, device.preKeyCount - 1);
      }
      await party.startSession(d.to, bundle);
    }
    const session = party.openSessionKey(d.to);
    const { type, ciphertext } = await party.encrypt(d.to, padRandomMax16(plain));
    return { enc: type, body: ciphertext, ...(session ? { session } : {}) };
  }

  /** The most recent message in a chat whose text appears in `answer` (for an answer that quotes none). */
  latestQuotedBy(chat: string, answer: string): string | undefined {
    // A chat is a contact (its direct messages) or the group (anyone's messages in it).
    const found = [...this.messages.values()].filter((m) => (m.group ?? m.from) === chat && answer.includes(m.text));
    return found.at(-1)?.id;
  }
}

const deviceJid = (m: InboundMessage) => m.from.replace('@', m.fromDevice ? `:${m.fromDevice}@` : '@');

/** The stanza WhatsApp delivers: sender PN plus its LID (so 7.x needs no lookup), `offline` when queued. */
function messageNode(directory: Directory, m: InboundMessage, sealed: NonNullable<Delivery['sealed']>, offline: boolean, count: number): BinaryNode {
  const contact = directory.contact(m.from)!;
  const part = (p: { enc: string; body: Buffer }): BinaryNode =>
    p.enc === 'plaintext'
      ? { tag: 'plaintext', attrs: {}, content: p.body }
      : { tag: 'enc', attrs: { v: '2', type: p.enc, ...(count ? { count: String(count) } : {}) }, content: p.body };
  const common = { id: m.id, t: m.t, type: 'text', notify: contact.name, ...(offline ? { offline: '1' } : {}) };
  if (m.group) {
    // A group message: from the group, the sender as participant (with its LID), key first.
    return {
      tag: 'message',
      attrs: { from: m.group, participant: deviceJid(m), participant_lid: contact.lid, addressing_mode: 'pn', ...common },
      content: [...(sealed.skdm ? [part(sealed.skdm)] : []), part(sealed)],
    };
  }
  return { tag: 'message', attrs: { from: deviceJid(m), sender_lid: contact.lid, ...common }, content: [part(sealed)] };
}
