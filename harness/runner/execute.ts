/**
 * Carries out a plan: each planned run through `runScenario` against the real stack, one at a time
 * in this process by default (runs share the machine; parallel runs measure each other), or `jobs`
 * at once, each in a process of its own (`runElsewhere`): in virtual time a run is mostly idle, so
 * several fit on the cores (each run's CPU share says how busy it kept them). Turns each
 * ScenarioRun into a RunReport in real-world units, in plan order. A run that throws is kept as an
 * `error` verdict with its error, never dropped and never a pass. When `signal` aborts (SIGINT),
 * the runs in progress are released and dropped (they have no verdict) and the finished runs are
 * returned.
 */
import fc from 'fast-check';
import type { Clock } from '../../core/clock.js';
import { scheduleEnd, type Schedule, type ScheduleEntry } from '../faults/schedule.js';
import { runScenario, RunInterruptedError, type Scenario, type ScenarioRun } from '../scenario.js';
import type { Bot } from '../bots/bot.js';
import { isAttempt } from '../recorder/evidence.js';
import type { RunReport, TimelinePoint } from '../report/schema.js';
import type { PlannedRun } from './plan.js';
import { messageMetrics } from '../messages/metrics.js';
import { isMessageEvent } from '../messages/evidence.js';
import type { MessageTraffic } from '../messages/traffic.js';
import { currentSpeed } from '../time/warp.js';
import { measureCpuShare } from './cpu-share.js';
import type { StartGate } from './cpu-headroom.js';
import { RUN_DEADLINE_ENV, runDeadlineMs, type RunElsewhere } from './run-in-child.js';

/** The schedule a run's seed stands for (real-world ms): the first sample of the scenario's generator. */
export function scheduleForSeed(scenario: Scenario, seed: number): Schedule {
  return fc.sample(scenario.schedules(), { seed, numRuns: 1 })[0]!;
}


export interface ExecuteOptions {
  scenarios: Record<string, Scenario>;
  scale: number;
  clock: Clock;
  /** The bot under test (default: the reference supervisor). */
  bot?: Bot;
  /** For bots with no declared policy: the recovery SLO (real-world ms) and storm limit. */
  recoverySloMs?: number;
  stormLimit?: number;
  /** Message traffic through every run (--messages, --answers), over each scenario's own. */
  messages?: Partial<MessageTraffic>;
  /** Extra flags the replay line must carry (--config, --bot, --set ...). */
  replayFlags?: (run: PlannedRun) => string[];
  onRunStart?: (run: PlannedRun, index: number) => void;
  onRunEnd?: (run: PlannedRun, report: RunReport, index: number) => void;
  /** Stops the plan (SIGINT): the runs in progress are released and dropped; finished runs are kept. */
  signal?: AbortSignal;
  /**
   * Carries each run out in another process (harness/runner/run-in-child.ts) instead of this one.
   * Runs share a process only one at a time: a clock fault replaces its `Date`, a throw out of the
   * client stack could not be told apart, and one process uses one core.
   */
  runElsewhere?: RunElsewhere;
  /** How many runs at once, with `runElsewhere` (default 1); with `gate`, the most at once. */
  jobs?: number;
  /** Lets each run start only when it says so (--jobs auto: while the cores have room). */
  gate?: StartGate;
}

export async function executePlan(plan: PlannedRun[], opts: ExecuteOptions): Promise<RunReport[]> {
  const out: (RunReport | undefined)[] = [];
  let interrupted = false;
  const schedules = plan.map((p) => p.schedule ?? scheduleForSeed(opts.scenarios[p.scenario]!, p.seed));
  const jobs = opts.runElsewhere ? Math.max(1, Math.min(opts.jobs ?? 1, plan.length)) : 1;
  // Several at once: the longest schedules start first, so no long run starts last and runs alone
  // at the end. The report keeps plan order.
  const order = plan.map((_, i) => i);
  if (jobs > 1) order.sort((a, b) => scheduleEnd(schedules[b]!) - scheduleEnd(schedules[a]!) || a - b);
  let next = 0;
  const stopped = () => next >= order.length || interrupted || !!opts.signal?.aborted;
  const worker = async () => {
    while (!stopped()) {
      const leave = await opts.gate?.enter();
      if (stopped()) return leave?.();
      const i = order[next++]!;
      const planned = plan[i]!;
      opts.onRunStart?.(planned, i);
      const me = joinInFlight();
      try {
        out[i] = opts.runElsewhere ? await executeElsewhere(opts.runElsewhere, planned, schedules[i]!, opts, me) : await executeRun(planned, schedules[i]!, opts);
      } catch (err) {
        if (err instanceof RunInterruptedError) {
          interrupted = true;
          return;
        }
        throw err;
      } finally {
        inFlight.delete(me);
        leave?.();
      }
      opts.onRunEnd?.(planned, out[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return out.filter((r): r is RunReport => r !== undefined);
}

export function replayLine(planned: PlannedRun, scale: number, extra: string[] = []): string {
  // Under virtual time the replay runs at the same speed (extra carries --speed K), not at scale 1 in real time.
  const time = extra.some((f) => f.startsWith('--speed ')) ? [] : [`--time-scale ${scale}`];
  return ['baileys-chaos replay', `${planned.scenario}:${planned.seed}`, `--baileys ${planned.version}`, ...time, ...extra].join(' ');
}

/** What every report of a planned run starts with. */
function reportBase(planned: PlannedRun, opts: ExecuteOptions) {
  return {
    id: `${planned.scenario}/${planned.version}/${planned.setting.label}/${planned.runIndex}`,
    scenario: planned.scenario,
    version: planned.version,
    setting: planned.setting.label,
    runIndex: planned.runIndex,
    seed: planned.seed,
    replay: replayLine(planned, opts.scale, opts.replayFlags?.(planned)),
  };
}

/**
 * A run the harness could not run or observe as asked (a bot that does not start, a fault that
 * could not be applied, a child process that died): its own verdict with the cause, never blamed on the bot.
 */
function errorReport(planned: PlannedRun, schedule: Schedule, opts: ExecuteOptions, wallMs: number, err: unknown): RunReport {
  return {
    ...reportBase(planned, opts),
    schedule,
    verdict: 'error',
    invariants: [],
    metrics: [],
    windowMs: 0,
    wallMs,
    attemptsPerMinute: 0,
    stormPeakPerSecond: 0,
    timeline: [],
    error: err instanceof Error ? (isHarnessError(err) ? err.message : (err.stack ?? err.message)) : String(err),
  };
}

/** A run that threw: stopped from outside (rethrown as an interruption, no verdict), else an error report. */
function failedRun(planned: PlannedRun, schedule: Schedule, opts: ExecuteOptions, started: number, err: unknown): RunReport {
  if (err instanceof RunInterruptedError) throw err;
  if (opts.signal?.aborted) throw new RunInterruptedError((err as Error).message);
  return errorReport(planned, schedule, opts, opts.clock.now() - started, err);
}

/** A run in another process: its report, with how many runs it shared the machine with. */
async function executeElsewhere(runElsewhere: RunElsewhere, planned: PlannedRun, schedule: Schedule, opts: ExecuteOptions, me: InFlight): Promise<RunReport> {
  const started = opts.clock.now();
  try {
    const report = await runElsewhere(planned, schedule, opts.signal);
    return me.alongside && report.cpu ? { ...report, cpu: { ...report.cpu, alongsideRuns: me.alongside } } : report;
  } catch (err) {
    return failedRun(planned, schedule, opts, started, err);
  }
}

async function executeRun(planned: PlannedRun, schedule: Schedule, opts: ExecuteOptions): Promise<RunReport> {
  const scenario = opts.scenarios[planned.scenario]!;
  const base = reportBase(planned, opts);
  const started = opts.clock.now();
  const cpu = measureCpuShare();
  const crashes = catchCrashes();
  const deadline = hangBound(schedule, opts.signal);
  try {
    const run = await runScenario(scenario, schedule, {
      version: planned.version,
      seed: planned.seed,
      scale: opts.scale,
      clock: opts.clock,
      config: planned.setting.config,
      ...(opts.bot ? { bot: opts.bot } : {}),
      ...(opts.recoverySloMs !== undefined ? { recoverySloMs: opts.recoverySloMs } : {}),
      ...(opts.stormLimit !== undefined ? { stormLimit: opts.stormLimit } : {}),
      ...(opts.messages ? { messages: opts.messages } : {}),
      ...(deadline.signal ? { signal: deadline.signal } : {}),
    });
    const wallMs = opts.clock.now() - started;
    const report = { ...base, ...toReport(run, opts.scale), schedule, wallMs, cpu: cpu(wallMs, currentSpeed() ?? 1), ...(run.notes.length ? { notes: run.notes } : {}), ...(run.toxiproxy ? { toxiproxy: run.toxiproxy } : {}) };
    const thrown = crashes.stop();
    if (thrown.length === 0) return report;
    return { ...report, verdict: 'invalid', invariants: [...report.invariants, { invariant: NEVER_THROWS, client: -1, verdict: 'invalid', message: thrown.join(' | ') }] };
  } catch (err) {
    crashes.stop();
    return failedRun(planned, schedule, opts, started, deadline.passed() ? new RunHungError(deadline.message) : err);
  } finally {
    deadline.clear();
  }
}

/** A run in this process that gave no verdict by its deadline (its steps still yielded: a wait that never ends). */
class RunHungError extends Error {
  override name = 'RunHungError';
}

/**
 * The bound on a run in this process (runDeadlineMs): a bot whose connect or stop never returns
 * would otherwise hold the plan for good. At the deadline the run is stopped as on an interrupt
 * (released) and becomes an error. A run child bounds its runs so too; its parent kills it only if
 * it gives no report a grace after that (a run that blocks the child's event loop, which no timer
 * in the child could end).
 */
function hangBound(schedule: Schedule, outer: AbortSignal | undefined) {
  const ms = runDeadlineMs(schedule);
  const own = new AbortController();
  const timer = setTimeout(() => own.abort(new Error('the run passed its deadline')), ms);
  return {
    signal: outer ? AbortSignal.any([outer, own.signal]) : own.signal,
    passed: () => own.signal.aborted && !outer?.aborted,
    message: `the run gave no verdict within ${Math.round(ms / 1000)} s of clock time and was stopped: it hung (a bot's connect or stop that never returns, a wait that never ends). Replay the run to see it alone; ${RUN_DEADLINE_ENV}=SECONDS sets the bound.`,
    clear: () => clearTimeout(timer),
  };
}

/** A run in flight (--jobs), with the most others it has run beside. */
interface InFlight {
  alongside: number;
}
/** Runs of this plan in flight now. */
const inFlight = new Set<InFlight>();

/** Every run in flight counts the others it met: those already running, and each that starts later. */
function joinInFlight(): InFlight {
  const me = { alongside: inFlight.size };
  for (const other of inFlight) other.alongside = Math.max(other.alongside, inFlight.size);
  inFlight.add(me);
  return me;
}

const isHarnessError = (err: Error) => ['RunHungError', 'BotSetupError', 'FaultNotAppliedError', 'ScheduleError', 'PacketFaultUnsupportedError', 'TrafficNotAvailableError'].includes(err.name);

export const NEVER_THROWS = 'nothing throws out of the client (a real bot process would die)';

/**
 * Errors thrown out of the client stack during a run (Baileys throwing from a socket handler,
 * an unhandled rejection) would kill a real bot process. In the harness they would kill every
 * later run too: they are caught for the run's duration and make it invalid, with the error.
 */
function catchCrashes(): { stop(): string[] } {
  const thrown: string[] = [];
  const onError = (err: unknown) => thrown.push(`${(err as Error)?.name ?? 'Error'}: ${(err as Error)?.message ?? String(err)} at ${((err as Error)?.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim()).join(' ← ')}`);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      return thrown;
    },
  };
}

const real = (ms: number, scale: number) => ms / scale;

/** Metrics and timeline in real-world ms; pressure figures from the attempts the server saw. */
export function toReport(run: ScenarioRun, scale: number): Pick<RunReport, 'verdict' | 'invariants' | 'metrics' | 'windowMs' | 'attemptsPerMinute' | 'stormPeakPerSecond' | 'timeline' | 'messages'> {
  const { record } = run;
  const messages = messageMetrics(record, run.schedule);
  const windowMs = real(record.end - record.start, scale);
  const attempts = record.timeline.filter((e) => e.source === 'server' && e.client !== undefined && isAttempt(e.event) && e.t >= record.start).map((e) => real(e.t - record.start, scale));
  return {
    verdict: run.verdict,
    invariants: run.results,
    metrics: run.metrics.map((m) => ({
      ...m,
      detectMs: m.detectMs.map((v) => real(v, scale)),
      recoverMs: m.recoverMs === null ? null : real(m.recoverMs, scale),
      delaysMs: m.delaysMs.map((v) => real(v, scale)),
    })),
    windowMs,
    attemptsPerMinute: windowMs > 0 ? (attempts.length * 60_000) / windowMs : 0,
    stormPeakPerSecond: peakInWindow(attempts, 1_000),
    ...(messages ? { messages: { ...messages, firstHandledAfterLastFaultMs: messages.firstHandledAfterLastFaultMs === null ? null : real(messages.firstHandledAfterLastFaultMs, scale) } } : {}),
    timeline: record.timeline.flatMap((e): TimelinePoint[] => {
      const t = real(e.t - record.start, scale);
      if (e.source === 'client') {
        const ev = e.event as { type: string; code?: unknown; action?: string; delayMs?: number; reason?: string };
        const detail = ev.type === 'decision' ? `${ev.action}${ev.delayMs !== undefined ? ` ${Math.round(real(ev.delayMs, scale))} ms` : ''}` : ev.type === 'stopped' ? ev.reason : undefined;
        return [{ t, source: 'client', client: e.client, type: ev.type, ...(typeof ev.code === 'number' ? { code: ev.code } : {}), ...(detail ? { detail } : {}) }];
      }
      if (e.source === 'fault') return [{ t, source: 'fault', type: e.event.type, detail: `#${e.event.index} ${describeFault(run.schedule[e.event.index])}${e.event.message ? `: ${e.event.message}` : ''}` }];
      const client = e.client !== undefined ? { client: e.client } : {};
      const ev = e.event;
      if (isAttempt(ev)) return [{ t, source: 'server', ...client, type: 'attempt', ...(ev.type === 'upgrade-rejected' ? { code: ev.detail?.status as number, detail: 'upgrade rejected' } : {}) }];
      if (ev.type === 'open') return [{ t, source: 'server', ...client, type: 'open' }];
      if (ev.type === 'closed') return [{ t, source: 'server', ...client, type: 'closed', ...(typeof ev.detail?.code === 'number' ? { code: ev.detail.code } : {}), detail: String(ev.detail?.why ?? '') }];
      if (ev.type === 'registration') return [{ t, source: 'server', ...client, type: 'registration', detail: 'asked to pair anew (QR)' }];
      if (ev.type === 'login-refused') return [{ t, source: 'server', ...client, type: 'login-refused', code: Number(ev.detail?.reason) }];
      // Message events keep their type; the detail is the message id (the report's marks find a message by it).
      if (isMessageEvent(ev) && record.traffic) return [{ t, source: 'server', ...client, type: ev.type, detail: String(ev.detail?.inReplyTo ?? ev.detail?.id ?? '') }];
      return [];
    }),
  };
}

/** "server-move stream-error 515", "toxic latency", "clock-jump": short enough for a chart label. */
export function describeFault(entry: ScheduleEntry | undefined): string {
  if (!entry) return 'fault';
  const p = entry.params ?? {};
  return [entry.fault, p.kind, p.code, p.type].filter((x) => x !== undefined).join(' ');
}

/** The most timestamps inside any window of the given width. */
export function peakInWindow(times: number[], widthMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= widthMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}
