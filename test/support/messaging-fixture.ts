/**
 * The messaging unit tests' fixture: a MessageService with one registered bot device whose keys a
 * real Signal party uploaded, and FakeLink, a bot connection as the messaging code sees it
 * (MessagingLink), recording what the server writes and the timers it sets.
 */
import { ManualClock } from '../../core/clock.js';
import { DeviceRegistry, type Device } from '../../fake-server/devices.js';
import { EventLog } from '../../fake-server/events.js';
import type { MessagingLink } from '../../fake-server/messaging/link.js';
import { SignalParty } from '../../fake-server/messaging/party.js';
import { MessageService } from '../../fake-server/messaging/service.js';
import type { BinaryNode } from '../../fake-server/protocol/binary-node.js';

export class FakeLink implements MessagingLink {
  readonly sent: BinaryNode[] = [];
  /** Timers the messaging code set, run by hand (`timers.forEach((fn) => fn())`). */
  readonly timers: (() => void)[] = [];
  open = true;
  constructor(
    readonly id: number,
    readonly device: Device,
    private readonly events: EventLog,
  ) {}
  alive() {
    return this.open;
  }
  sendNode(node: BinaryNode) {
    this.sent.push(node);
  }
  record(type: Parameters<MessagingLink['record']>[0], detail?: Record<string, unknown>) {
    this.events.record(type, this.id, { jid: this.device.jid, ...(detail ? { detail } : {}) });
  }
  later(_ms: number, fn: () => void) {
    this.timers.push(fn);
  }
  serverSeconds() {
    return '1700000000';
  }
}

export const ALICE = '15559990001@s.whatsapp.net';
export const BOT = '15550000001:1@s.whatsapp.net';

/** Lets the service's pending promises (encryption, delivery) run. */
export const settle = () => new Promise((r) => setImmediate(r));

/** A service with the bot device registered and its keys uploaded; `links` are its open connections (push a FakeLink). */
export function messagingFixture() {
  const events = new EventLog(new ManualClock());
  const devices = new DeviceRegistry();
  const device: Device = { jid: BOT, lid: '215550000001:1@lid', user: '15550000001', device: 1, noisePublic: Buffer.alloc(32), identityPublic: Buffer.alloc(32), preKeyCount: 0, createdAt: 0 };
  devices.add(device);
  const links: FakeLink[] = [];
  const service = new MessageService({ events, devices, lidFor: (u) => String(BigInt(u) + 200_000_000_000_000n), openLinks: (jid) => links.filter((l) => l.open && l.device.jid === jid), wallSeconds: () => '1700000000' });
  // The bot's keys, as its upload would give them: a real Signal party stands in for Baileys.
  const b = new SignalParty('bot').bundle();
  service.keys.upload(BOT, { registrationId: b.registrationId, identity: b.identity, signedPreKey: b.signedPreKey, preKeys: [b.preKey] });
  return { events, device, links, service };
}
