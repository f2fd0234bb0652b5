/**
 * Faults that silence the link (nothing arrives, nothing is refused): the ones only a keep-alive
 * can detect. Baileys declares such a link dead after its keep-alive interval plus a fixed 5 s,
 * which does not scale: at a time scale these faults are lengthened by that fixed part
 * (harness/scenario.ts scaleSchedule), or a scaled silence would end before any client could
 * notice it. Virtual time (--speed) needs no such padding.
 */
import type { ScheduleEntry } from './schedule.js';

export function silencesLink(e: ScheduleEntry): boolean {
  const p = e.params ?? {};
  if (e.fault === 'toxic') return p.type === 'timeout' && (p.attributes as { timeout?: number } | undefined)?.timeout === 0;
  if (e.fault === 'packet-loss') return p.percent === 100;
  if (e.fault === 'server-move') return p.kind === 'silence';
  return false;
}
