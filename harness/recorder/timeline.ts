/**
 * The recorder: client, server and fault events merged onto the one harness clock, as plain data.
 */
import type { ServerEvent } from '../../fake-server/events.js';
import type { ScheduleEvent } from '../faults/schedule.js';
import type { TrafficLog } from '../messages/traffic.js';

/** What a bot says about itself: shown beside the evidence in reports, never used for a verdict. */
export interface BotReport {
  t: number;
  type: string;
  [key: string]: unknown;
}

export type TimelineEntry =
  | { t: number; source: 'client'; client: number; event: BotReport }
  | { t: number; source: 'server'; client?: number; event: ServerEvent }
  | { t: number; source: 'fault'; event: ScheduleEvent };

export interface RunRecord {
  /** When the observation window started and ended (harness clock). */
  start: number;
  end: number;
  timeline: TimelineEntry[];
  /** Client index → its device JID. */
  jids: string[];
  /** The inbound messages the harness sent (runs with message traffic only). */
  traffic?: TrafficLog;
}

/**
 * Merges the streams into one time-ordered timeline. Server events are attributed to clients by
 * the label in each client's own socket URL (every attempt, even one refused before login); events
 * with no label (a server-wide event, a client given the plain URL) by the device's JID.
 */
export function mergeTimeline(parts: { clients: BotReport[][]; server: ServerEvent[]; faults: ScheduleEvent[]; jids: string[] }): TimelineEntry[] {
  const byJid = new Map(parts.jids.map((j, i) => [j, i]));
  const out: TimelineEntry[] = [
    ...parts.clients.flatMap((events, client) => events.map((event) => ({ t: event.t, source: 'client' as const, client, event }))),
    ...parts.server.map((event) => {
      const labelled = event.client !== undefined && /^\d+$/.test(event.client) ? Number(event.client) : undefined;
      const client = labelled ?? (event.jid === undefined ? undefined : byJid.get(event.jid));
      return { t: event.t, source: 'server' as const, ...(client !== undefined ? { client } : {}), event };
    }),
    ...parts.faults.map((event) => ({ t: event.t, source: 'fault' as const, event })),
  ];
  return out.sort((a, b) => a.t - b.t);
}
