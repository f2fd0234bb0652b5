/**
 * Where each client stands right now by the server's events as they arrive: its open connections,
 * whether it has ever been let in (sent <success>) and ever opened, and when the server last saw
 * it. Kept up to date from one subscription, so a run waiting on its clients reads it in constant
 * time instead of rescanning the event log. Waiting only: verdicts read the finished record
 * (evidence.ts).
 */
import type { EventLog, ServerEvent } from '../../fake-server/events.js';

export class LiveClientView {
  private readonly open = new Map<string, Set<number>>();
  private readonly last = new Map<string, number>();
  private readonly opened = new Set<string>();
  private readonly admitted = new Set<string>();
  private readonly off: () => void;

  constructor(events: EventLog) {
    for (const e of events.list()) this.see(e);
    this.off = events.subscribe((e) => this.see(e));
  }

  private see(e: ServerEvent): void {
    if (e.client === undefined) return;
    this.last.set(e.client, e.t);
    if (e.type === 'success-sent') this.admitted.add(e.client);
    else if (e.type === 'open') {
      this.opened.add(e.client);
      this.connections(e.client).add(e.conn!);
    } else if (e.type === 'closed') this.connections(e.client).delete(e.conn!);
  }

  private connections(client: string): Set<number> {
    let set = this.open.get(client);
    if (!set) this.open.set(client, (set = new Set()));
    return set;
  }

  isOpen(client: number): boolean {
    return (this.open.get(String(client))?.size ?? 0) > 0;
  }

  hasOpened(client: number): boolean {
    return this.opened.has(String(client));
  }

  /** The server has logged it in (sent <success>) at least once; its open may not have followed. */
  hasBeenLetIn(client: number): boolean {
    return this.admitted.has(String(client));
  }

  /** When the server last recorded anything of the client, if ever. */
  lastSeen(client: number): number | undefined {
    return this.last.get(String(client));
  }

  close(): void {
    this.off();
  }
}
