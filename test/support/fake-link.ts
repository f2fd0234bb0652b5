/** A bot connection as the messaging code sees it (MessagingLink), recording what the server writes and the timers it sets, for unit tests. */
import type { Device } from '../../fake-server/devices.js';
import type { EventLog } from '../../fake-server/events.js';
import type { MessagingLink } from '../../fake-server/messaging/link.js';
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
