/**
 * Where each client stands right now by the server's events as they arrive: its open connections,
 * whether it has ever been let in (sent <success>) and ever opened, how often it was let in and
 * closed with which codes (what a failed start says of itself), and when the server last saw it.
 * Kept up to date from one subscription, so a run waiting on its clients reads it in constant
 * time instead of rescanning the event log. Waiting only: verdicts read the finished record
 * (evidence.ts).
 */
import type { EventLog, ServerEvent } from '../../fake-server/events.js';

export class LiveClientView {
  private readonly open = new Map<string, Set<number>>();
  private readonly last = new Map<string, number>();
  private readonly opened = new Set<string>();
  private readonly admitted = new Map<string, number>();
  private readonly closes = new Map<string, Map<string, number>>();
  private readonly off: () => void;

  constructor(events: EventLog) {
    for (const e of events.list()) this.see(e);
    this.off = events.subscribe((e) => this.see(e));
  }

  private see(e: ServerEvent): void {
    if (e.client === undefined) return;
    this.last.set(e.client, e.t);
    if (e.type === 'success-sent') this.admitted.set(e.client, (this.admitted.get(e.client) ?? 0) + 1);
    else if (e.type === 'open') {
      this.opened.add(e.client);
      this.connections(e.client).add(e.conn!);
    } else if (e.type === 'closed') {
      this.connections(e.client).delete(e.conn!);
      const code = e.detail?.code !== undefined ? String(e.detail.code) : 'no code';
      const byCode = this.closes.get(e.client) ?? new Map<string, number>();
      this.closes.set(e.client, byCode.set(code, (byCode.get(code) ?? 0) + 1));
    }
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

  /** How many of its connections the server has seen close. */
  closeCount(client: number): number {
    return [...(this.closes.get(String(client))?.values() ?? [])].reduce((n, k) => n + k, 0);
  }

  /** What the server saw of the client so far in a line, e.g. "let in 6 times, closed 7 times (440 x5, 408 x2)". */
  describe(client: number): string {
    const letIn = this.admitted.get(String(client)) ?? 0;
    const byCode = [...(this.closes.get(String(client)) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1]);
    const closed = this.closeCount(client);
    const times = (n: number) => (n === 1 ? 'once' : `${n} times`);
    return `${letIn ? `let in ${times(letIn)}` : 'never let in'}, closed ${closed ? `${times(closed)} (${byCode.map(([code, n]) => `${code} x${n}`).join(', ')})` : 'never'}`;
  }

  /** When the server last recorded anything of the client, if ever. */
  lastSeen(client: number): number | undefined {
    return this.last.get(String(client));
  }

  close(): void {
    this.off();
  }
}
