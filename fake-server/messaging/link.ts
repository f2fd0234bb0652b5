/** What messaging needs of one client connection (implemented by Connection). */
import type { Device } from '../devices.js';
import type { ServerEventType } from '../events.js';
import type { BinaryNode } from '../protocol/binary-node.js';

export interface MessagingLink {
  readonly id: number;
  readonly device: Device | undefined;
  readonly open: boolean;
  /** False once the connection closed (or is closing). */
  alive(): boolean;
  sendNode(node: BinaryNode): void;
  /** Records an event with this connection's id, device jid and client label. */
  record(type: ServerEventType, detail?: Record<string, unknown>): void;
  /** A timer owned by the connection: cleared when it closes. */
  later(ms: number, fn: () => void): void;
  /** The server's clock in seconds, as sent in `t` attributes. */
  serverSeconds(): string;
}

/** Every connection currently logged in as a device and open. */
export type OpenLinks = (deviceJid: string) => MessagingLink[];
