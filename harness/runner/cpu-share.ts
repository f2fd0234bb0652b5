/**
 * How busy the machine was for a run: the CPU this process and its reaped children (bot processes,
 * a per-run toxiproxy-server) used, over the run's real duration. Under virtual time at speed K the
 * clock runs K times faster but CPU work does not, so a share near 1 means the run had no idle time
 * to compress and its timings are inflated (README, Virtual time). Linux reads /proc/self/stat,
 * which counts children once they have exited; elsewhere only this process is counted.
 */
import { readFileSync } from 'node:fs';
import type { CpuShare } from '../report/schema.js';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux Node supports

/** CPU ms used so far by this process and its waited-for children (Linux), or by this process alone. */
function cpuMsSoFar(): { ms: number; children: boolean } {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces): utime is the 14th field overall.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    if (Number.isFinite(ticks)) return { ms: (ticks * 1000) / TICKS_PER_SECOND, children: true };
  } catch {
    // not Linux
  }
  const u = process.cpuUsage();
  return { ms: (u.user + u.system) / 1000, children: false };
}


/** Starts measuring; the returned function ends it, given the run's clock time and the speed (1 unwarped). */
export function measureCpuShare(): (clockMs: number, speed: number) => CpuShare {
  const start = cpuMsSoFar();
  return (clockMs, speed) => {
    const end = cpuMsSoFar();
    const cpuMs = end.ms - start.ms;
    const realMs = clockMs / speed;
    return { cpuMs: Math.round(cpuMs), realMs: Math.round(realMs), share: realMs > 0 ? Math.round((cpuMs / realMs) * 100) / 100 : 0, withChildren: end.children };
  };
}
