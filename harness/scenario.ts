/**
 * Scenarios: a small declarative description (clients, settings, a fast-check generator of fault
 * schedules, the invariants) that `runScenario` executes against the real stack — fake server,
 * Toxiproxy when the schedule needs it, real Baileys under the supervisor — and `checkScenario`
 * turns into a property: generated schedules, shrinking to the smallest failing one, and a
 * one-line replay (`{seed, path}`).
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeWhatsAppServer } from '../fake-server/server.js';
import { startFakeServer } from './server.js';
import { provisionDevice } from './provision.js';
import { loadBaileys, trustTestRoot } from './baileys/versions.js';
import type { Clock } from '../core/clock.js';
import { BotSetupError, type Bot, type BotClient } from './bots/bot.js';
import { supervisorBot, type SupervisorClass } from './bots/supervisor-bot.js';
import { injectorFor, shimClockOp, type FaultPlaces } from './faults/injectors.js';
import { kindOf } from './faults/kinds/index.js';
import { targetsOne } from './faults/kinds/kind.js';
import { PacketLab } from './faults/packet/netns.js';
import { sessionPath } from './drivers/driver.js';
import { DateShim } from './faults/clock/date-shim.js';
import { runSchedule, type Schedule, type ScheduleEntry } from './faults/schedule.js';
import { openToxiproxy, type ToxiproxyBackend } from './faults/toxiproxy/backend.js';
import { BAILEYS_KEEPALIVE_ALLOWANCE_MS, judgeSettings } from './bots/bounds.js';
import { silencesLink } from './faults/silence.js';
import { judgeEffect, type Effect } from './effects.js';
import { checkInvariants, type Invariant, type InvariantResult, type JudgeSettings, type Verdict } from './invariants.js';
import { clientMetrics, type ClientMetrics } from './recorder/metrics.js';
import { LiveClientView } from './recorder/live-view.js';
import { mergeTimeline, type RunRecord } from './recorder/timeline.js';
import { openSessionStore } from './session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from './supervisor/config.js';
import { scaleConfig } from './supervisor/scale.js';
import { Resources } from './resources.js';
import { removeWorkDir, workRoot } from './work-root.js';
import { currentSpeed, isRealTime, machineTimeOnClock } from './time/warp.js';
import { hasFirstFrameRace } from './baileys/first-frame-race.js';
import { DEFAULT_ADMISSION } from '../fake-server/moves.js';
import type { SupervisorEvent } from './supervisor/supervisor.js';
import { beginTraffic } from './messages/run-traffic.js';
import type { MessageTraffic } from './messages/traffic.js';

export interface Scenario {
  name: string;
  /** The real-world symptom it reproduces (shared/real-world.md). */
  about: string;
  clients: number;
  store: 'file' | 'sqlite';
  /**
   * Where clients run (default in-process). 'subprocess': one process each, restarted after a
   * `kill` as a process manager would; needed for kills and packet faults (a network namespace).
   */
  driver?: 'in-process' | 'subprocess';
  /** Every client is an instance of one bot: copies of one session, started one after another. */
  sharedDevice?: boolean;
  /** Settings this scenario needs on top of the run's config (real-world durations). */
  configOverrides?: Partial<SupervisorConfig>;
  /** Fault schedules in real-world ms; a run scales their times (`at`, `duration`) by its time scale. */
  schedules(): fc.Arbitrary<Schedule>;
  /** How long to keep observing after the schedule's last event, ms (scaled). */
  settleMs(config: SupervisorConfig): number;
  invariants: Invariant[];
  /** The effect the scenario exists to provoke (effects.ts): a run where it never appeared is unknown, not valid. */
  effect?: Effect;
  /** Inbound message traffic through every run (harness/messages/): adds the message checks. */
  messages?: MessageTraffic;
}

export interface RunOptions {
  version: string;
  seed: number;
  scale: number;
  clock: Clock;
  /** The supervisor settings at real-world scale (default: the troubleshooting page's). */
  config?: SupervisorConfig;
  /** The bot under test (default: the reference supervisor). */
  bot?: Bot;
  /** Shorthand for `bot: supervisorBot(supervisor)`: a Supervisor subclass, e.g. a deliberately broken one. */
  supervisor?: SupervisorClass;
  /** The recovery SLO for a bot with no declared policy, real-world ms (default 60 s). */
  recoverySloMs?: number;
  /** Most attempts a client may make in a real-world minute (default 30). */
  stormLimit?: number;
  /** Stops the run from outside (SIGINT): it releases everything and throws RunInterruptedError. */
  signal?: AbortSignal;
  /** Message traffic for this run (--messages, --answers), over the scenario's own. */
  messages?: Partial<MessageTraffic>;
}

export interface ScenarioRun {
  schedule: Schedule;
  record: RunRecord;
  metrics: ClientMetrics[];
  results: InvariantResult[];
  verdict: Verdict;
  /** The bot under test, as reports name it. */
  bot: string;
  /** For an `error` verdict: what the harness could not do (never the bot's fault). */
  error?: string;
  /** What the run observed about itself worth saying in a report (a bot that ran its own Baileys). */
  notes: string[];
  /** Which Toxiproxy backend carried the schedule's network faults, if it had any. */
  toxiproxy?: ToxiproxyBackend['kind'];
}

/** The config a run of the scenario uses: the run's base, the scenario's overrides, time-scaled. */
export function scenarioConfig(scenario: Scenario, opts: Pick<RunOptions, 'config' | 'scale'>): SupervisorConfig {
  return scaleConfig({ ...(opts.config ?? DEFAULT_SUPERVISOR_CONFIG), ...scenario.configOverrides }, opts.scale);
}

/**
 * A real-world schedule at a time scale: when each fault happens and how long it lasts. A fault
 * that silences the link is lengthened by what does not scale (Baileys' fixed 5 s keep-alive
 * allowance, and a second for the tick), and what follows it moves by as much: otherwise a
 * scaled silence ends before any client could notice it (faults/silence.ts). What follows a kill
 * moves by a restart's machine time (a new process loads Baileys and logs in: seconds that do
 * not scale), or the next fault would meet a process still starting and the reload go unjudged.
 */
export function scaleSchedule(schedule: Schedule, scale: number): Schedule {
  const pad = scale < 1 ? SILENCE_PAD_MS : 0;
  const restartPad = scale < 1 ? RESTART_PAD_MS : 0;
  const padded = schedule.filter((e) => e.duration !== undefined && silencesLink(e));
  const kills = schedule.filter((e) => e.fault === 'kill');
  return schedule.map((e) => {
    const shift = pad * padded.filter((p) => p !== e && p.at + p.duration! <= e.at).length + restartPad * kills.filter((k) => k.at < e.at).length;
    return { ...e, at: e.at * scale + shift, ...(e.duration !== undefined ? { duration: e.duration * scale + (padded.includes(e) ? pad : 0) } : {}) };
  });
}

/** The machine time a killed bot process gets to start again and log in before the next fault, at a time scale. */
export const RESTART_PAD_MS = 5_000;

/** What a silence gains at a time scale: Baileys' fixed keep-alive allowance and one second for the keep-alive's tick. */
export const SILENCE_PAD_MS = BAILEYS_KEEPALIVE_ALLOWANCE_MS + 1_000;

/** The modules of a schedule's kinds (faults/kinds/): what each asks of the run. */
const kindsIn = (s: Schedule) => s.flatMap((e) => kindOf(e.fault) ?? []);
const needsToxiproxy = (s: Schedule) => kindsIn(s).some((k) => k.place === 'proxy');
const needsPacketLab = (s: Schedule) => kindsIn(s).some((k) => k.place === 'packets');
const needsProcesses = (s: Schedule, clients: number) =>
  s.some((e) => {
    const kind = kindOf(e.fault);
    return !!kind && (kind.ownProcess || !!kind.needsOwnProcess?.(e, clients));
  });

/** The bot a run tests. */
export const botOf = (opts: Pick<RunOptions, 'bot' | 'supervisor'>): Bot => opts.bot ?? supervisorBot(opts.supervisor);

/**
 * Refuses, before anything starts, a schedule this bot cannot be put through as asked, naming the
 * entry: a fault must reach exactly the clients it names, or not run at all.
 */
export function refuseUnreachable(scenario: Scenario, schedule: Schedule, bot: Bot): void {
  const fail = (why: string): never => {
    throw new BotSetupError(`Failed to run scenario "${scenario.name}" with the bot ${bot.label}: ${why}`);
  };
  if (needsProcesses(schedule, scenario.clients) && bot.where === 'in-process') fail('its schedule kills clients, shapes their packets or shifts one client\'s clock, which needs each client in its own process. Give your bot as a command (--bot-cmd), or pick a scenario without kills, packet faults or per-client clock faults.');
  const reach = { clients: scenario.clients, where: bot.where, killable: bot.killable, clockFaults: bot.clockFaults };
  schedule.forEach((e, i) => {
    const entry = `entry ${i} (${e.fault}${targetsOne(e) ? `, target ${e.target}` : ''})`;
    if (targetsOne(e) && (e.target as number) >= scenario.clients) fail(`${entry} targets a client the scenario does not have (it has ${scenario.clients}).`);
    // Each kind knows what it can reach (faults/kinds/): a kill needs a killable bot, a clock fault a shimmed clock, ...
    const why = kindOf(e.fault)?.unreachable?.(e, reach);
    if (why) fail(`${entry}: ${why}`);
  });
}

/** The run was stopped from outside (SIGINT, SIGTERM): its resources are released, it has no verdict. */
export class RunInterruptedError extends Error {
  override name = 'RunInterruptedError';
}

/**
 * Runs one schedule end to end and judges it. Everything it starts is released, even on failure;
 * when `signal` aborts, the run stops at once: its resources are released in reverse order and it
 * throws RunInterruptedError (the steps still under way stop at their next check or acquisition).
 */
export async function runScenario(scenario: Scenario, schedule: Schedule, opts: RunOptions): Promise<ScenarioRun> {
  const bot = botOf(opts);
  const config = scenarioConfig(scenario, opts);
  refuseUnreachable(scenario, schedule, bot);
  const resources = new Resources();
  const interrupted = () => new RunInterruptedError(`Failed to finish the run: it was interrupted (${String(opts.signal?.reason ?? 'aborted')}).`);
  const live = () => {
    if (opts.signal?.aborted) throw interrupted();
  };
  live();
  const steps = runSteps(scenario, schedule, opts, bot, config, resources, live);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([steps, aborted]);
  } finally {
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    await resources.release();
    if (opts.signal?.aborted) {
      // The abandoned steps fail fast now (every wait checks live(); a late acquisition is
      // released at once); wait for them, bounded, so nothing they start outlives the run. The
      // bound is not unref'd: with a step that never settles it is all that keeps the process up.
      // 5 s of machine time (a step may be provisioning a session: CPU work, K times longer on a warped clock).
      await Promise.race([steps.catch(() => undefined), new Promise((r) => setTimeout(r, machineTimeOnClock(5_000)))]);
      await resources.settled();
    }
  }
}

async function runSteps(scenario: Scenario, schedule: Schedule, opts: RunOptions, bot: Bot, config: SupervisorConfig, res: Resources, live: () => void): Promise<ScenarioRun> {
  await bot.prepare?.();
  live();
  // Packet faults need the clients in a network namespace of the run's own, the server on its host side.
  const lab = needsPacketLab(schedule) ? await PacketLab.create() : undefined;
  if (lab) res.add('network namespace', () => lab.destroy());
  // Under virtual time (--speed K) the post-handshake delay keeps its real length (K x virtual) where it guards 6.x's race.
  const speed = currentSpeed();
  const guard = DEFAULT_ADMISSION.postHandshakeDelayMs;
  const postHandshakeDelayMs = hasFirstFrameRace(opts.version) ? machineTimeOnClock(guard, speed) : guard;
  const server = await startFakeServer({ clock: opts.clock, ...(lab ? { host: lab.hostAddress } : {}), ...(speed ? { admission: { postHandshakeDelayMs } } : {}) });
  res.add('fake server', () => server.close());
  const workDir = await mkdtemp(join(workRoot(), 'bc-scenario-'));
  // Retried: a module bot's Baileys may still land a key write while the directory is removed
  // (ENOTEMPTY; seen once in 15 runs, the directory left behind with two identity keys). Removed
  // again after an interrupt: a step still setting up a client (its home, its provisioned
  // session) writes into it after the first removal.
  res.add('temp dir', () => removeWorkDir(workDir), { again: true });
  const shim = new DateShim(opts.clock);
  res.add('clock shim', () => shim.restore());

  let baseUrl = server.wsUrl;
  let toxiproxy: ToxiproxyBackend | undefined;
  const clients: BotClient[] = [];
  const places: FaultPlaces = {
    server,
    kill: async (target, order) => {
      await Promise.all((target === 'all' ? clients : [clients[target]!]).map((c) => c.kill?.(order)));
    },
    ...(lab ? { packets: lab } : {}),
  };
  if (needsToxiproxy(schedule)) {
    // toxiproxy-server (Go) is not warped: under virtual time the embedded one runs on the shared clock.
    toxiproxy = await openToxiproxy({ clock: opts.clock, seed: opts.seed, ...(speed && !process.env.TOXIPROXY_URL ? { prefer: 'embedded' as const } : {}) });
    const tp = toxiproxy;
    res.add('Toxiproxy', () => tp.close());
    // A name of this run's own: an external Toxiproxy (--toxiproxy URL) may serve other runs too,
    // and the proxy is removed at the end so the next run does not meet a 409.
    const proxy = await tp.client.createProxy(`baileys-chaos-${process.pid}-${opts.seed}-${server.port}`, `${server.host}:${server.port}`);
    res.add('Toxiproxy proxy', () => tp.client.removeProxy(proxy.name));
    baseUrl = `ws://${proxy.listen}/ws/chat`;
    places.proxy = { client: tp.client, name: proxy.name, clock: opts.clock };
  }
  const ownProcess = needsProcesses(schedule, scenario.clients) || bot.where === 'process';
  const baileys = ownProcess ? undefined : await loadBaileys(opts.version);
  if (baileys) trustTestRoot(baileys, server.trustedPublicKey);
  // A clock fault reaches the clients it names: the harness's Date shim for in-process clients
  // (all of them: they share the process), each process's own shim otherwise.
  places.clock = ownProcess ? (target, op, value) => (target === 'all' ? clients : [clients[target]!]).forEach((c) => c.clockFault?.(op, value)) : shimClockOp(shim);

  const storeKind = bot.store === 'file' ? 'file' : scenario.store;
  const jids: string[] = [];
  const clientSessions: { type: 'file' | 'sqlite'; path: string }[] = [];
  for (let i = 0; i < scenario.clients; i++) {
    const store = { type: storeKind, path: sessionPath(workDir, storeKind, i) } as const;
    const client = await bot.client({
      index: i,
      version: opts.version,
      wsUrl: FakeWhatsAppServer.clientUrl(baseUrl, i),
      trustedPublicKey: server.trustedPublicKey,
      store,
      config,
      seed: opts.seed + i,
      clock: opts.clock,
      workDir,
      ownProcess,
      ...(lab ? { netns: lab.ns } : {}),
      writeWaitMs: config.loginTimeoutMs + 5_000,
      ...(baileys ? { baileys } : {}),
    });
    res.add(`client ${i}`, () => client.stop());
    // Where the bot keeps its session may be its own choice (a command bot's directory).
    const sessionAt = client.sessionDir ? { type: 'file' as const, path: client.sessionDir } : store;
    if (scenario.sharedDevice && i > 0) {
      // Another instance of the same bot: a copy of the first client's session.
      await cp(clientSessions[0]!.path, sessionAt.path, { recursive: true });
      jids.push(jids[0]!);
    } else {
      jids.push((await provisionDevice(server, { store: openSessionStore(sessionAt), baileysVersion: opts.version })).jid);
    }
    clientSessions.push(sessionAt);
    clients.push(client);
  }

  // Every client must be open — by the server's record — before the faults: a bot that cannot
  // even start is a setup error, not a verdict.
  // Starting is machine work (a process start, a login): under virtual time it takes K times longer on the clock.
  const startTimeout = machineTimeOnClock(bot.startTimeoutMs ?? 30_000, speed);
  const view = new LiveClientView(server.events);
  res.add('live view', () => view.close());
  const opened = async (c: BotClient, i: number) => {
    const deadline = opts.clock.now() + startTimeout;
    // Bounded wait for the server's open; a bot that ended (a command that keeps exiting) fails at once.
    // A bot that says when it has finished starting (OpenClaw's channel sets up after the login) is
    // waited for too, then must be open by the server's record: a fault during its start-up would
    // test the start-up, not the scenario.
    // A later instance of a shared device has started once the server let it in: the earlier
    // instance it replaced may reconnect and replace it before its own open (a bot that fights the
    // 440 at once, and a later instance slow after its login: cold, or starved of CPU), and that
    // fight is what the scenario judges, not a failed start.
    const contested = scenario.sharedDevice === true && i > 0;
    const started = () => (contested ? view.hasBeenLetIn(i) && (c.ready ?? true) : c.ready === undefined ? view.hasOpened(i) : c.ready && view.isOpen(i));
    while (!started() && !c.ended && opts.clock.now() < deadline) {
      live();
      await new Promise((r) => setTimeout(r, 50));
    }
    if (started()) return;
    const why = c.ended
      ? 'it ended before logging in'
      : view.hasOpened(i) && !(c.ready ?? true)
        ? `it logged in but did not say it had finished starting within ${startTimeout} ms`
        : view.hasBeenLetIn(i)
          ? `it logged in but did not open within ${startTimeout} ms (the server sent <success>; no open followed)`
          : `it did not log in within ${startTimeout} ms`;
    // What the server saw says whether the bot never got through or kept losing its connections while starting.
    const seen = view.describe(i);
    // A close while starting under virtual time may be a login (CPU work, K times longer on the clock) outrunning a timer.
    const cpuHint = speed !== undefined && !isRealTime(speed) && view.closeCount(i) > 0 ? ` In virtual time x${speed} a login is CPU work and reads ${speed} times longer on the clock: on a busy machine it can outrun Baileys' or the bot's own timers; a lower --speed gives it more.` : '';
    throw new BotSetupError(`Failed to start the bot (${bot.label}): client ${i}: ${why}${c.error ? ` (${c.error})` : ''}; the server's record: ${seen}.${cpuHint} Check that it runs on its own against "baileys-chaos serve".`);
  };
  if (scenario.sharedDevice) {
    // Instances of one bot start one after another, each replacing the one before (440).
    for (const [i, c] of clients.entries()) {
      live();
      await c.start().then(() => opened(c, i));
    }
  } else {
    live();
    await Promise.all(clients.map((c) => c.start()));
    await Promise.all(clients.map(opened));
  }
  const traffic = beginTraffic({ scenario: scenario.messages, run: opts.messages, server, jids, seed: opts.seed, scale: opts.scale, ...(speed ? { speed } : {}), clock: opts.clock });
  if (traffic) res.add('message traffic', () => traffic.stop());
  const start = opts.clock.now();
  const run = runSchedule(scaleSchedule(schedule, opts.scale), [injectorFor(places)], opts.clock);
  res.add('schedule', () => run.cancel());
  await run.done;
  live();
  const failed = run.events.list().find((e) => e.type === 'fault-failed');
  if (failed) throw new FaultNotAppliedError(`Failed to apply fault ${failed.index} (${describeEntry(schedule[failed.index])}): ${failed.message}`);

  const judge = judgeSettings({ config, declaresPolicy: bot.declaresPolicy, scale: opts.scale, ...(speed ? { speed } : {}), ...(opts.recoverySloMs !== undefined ? { recoverySloMs: opts.recoverySloMs } : {}), ...(opts.stormLimit !== undefined ? { stormLimit: opts.stormLimit } : {}) });
  await observeUntilSettled(view, clients, run.events.list().at(-1)?.t ?? start, scenario.settleMs(config), judge, config, opts.clock, live);
  await traffic?.tail(live);
  // The window ends here: what the server saw so far is the record (stopping the clients would add
  // their closes). They are stopped before judging only so what they say at the end (a bot that ran
  // its own Baileys) is in.
  const end = opts.clock.now();
  traffic?.stop();
  const serverEvents = server.events.list();
  for (const c of clients) await c.stop().catch(() => undefined);
  const record: RunRecord = {
    start,
    end,
    jids,
    timeline: mergeTimeline({ clients: clients.map((c) => c.events.list((e) => e.t <= end) as SupervisorEvent[]), server: serverEvents, faults: run.events.list(), jids }),
    ...(traffic ? { traffic: traffic.log(end) } : {}),
  };
  const results = checkInvariants({ run: record, schedule, judge }, [...scenario.invariants, ...(traffic?.invariants ?? [])]);
  if (scenario.effect) results.push(judgeEffect(scenario.effect, { run: record, schedule, judge }));
  const verdict: Verdict = results.some((r) => r.verdict === 'invalid') ? 'invalid' : results.some((r) => r.verdict === 'unknown') ? 'unknown' : 'valid';
  const notes = await versionNotes(clients, server, opts.version);
  return { schedule, record, metrics: jids.map((_, i) => clientMetrics(record, i, schedule)), results, verdict, bot: bot.label, notes, ...(toxiproxy ? { toxiproxy: toxiproxy.kind } : {}) };
}

/**
 * Whether the bot ran the Baileys under test: the redirect's own word, and the server's — the
 * WhatsApp Web version each login announced against the one the version under test sends by default
 * (a bot may set its own, e.g. from fetchLatestBaileysVersion, so a mismatch is reported, not judged).
 */
async function versionNotes(clients: BotClient[], server: FakeWhatsAppServer, version: string): Promise<string[]> {
  const expected = ((await loadBaileys(version)) as { DEFAULT_CONNECTION_CONFIG?: { version?: number[] } }).DEFAULT_CONNECTION_CONFIG?.version?.join('.');
  return clients.flatMap((c, i) => {
    const notes: string[] = [];
    if (c.events.list().some((e) => e.type === 'baileys-not-redirected')) notes.push(`client ${i}: the bot did not import Baileys through the redirect: it ran its own version, not ${version}`);
    const seen = [...new Set(server.events.list().filter((e) => e.type === 'login' && e.client === String(i)).map((e) => e.detail?.appVersion as string | undefined).filter(Boolean))];
    const odd = seen.filter((v) => v !== expected);
    if (expected && odd.length) notes.push(`client ${i}: its logins announced WhatsApp Web ${odd.join(', ')}, not ${expected} (the default of Baileys ${version})`);
    return notes;
  });
}

/** A fault the harness could not apply: the run cannot be judged (an `error`), the bot is not blamed. */
export class FaultNotAppliedError extends Error {
  override name = 'FaultNotAppliedError';
}

const describeEntry = (e: ScheduleEntry | undefined) => (e ? [e.fault, (e.params as { kind?: string; type?: string } | undefined)?.kind ?? (e.params as { type?: string } | undefined)?.type].filter(Boolean).join(' ') : 'unknown');

/**
 * Observes after the last fault until every client is open again by the server's record, or has
 * ended by its own account and stayed quiet long enough to show it, bounded by the settle window
 * (at least the recovery bound, so "not recovered" can be told from "not yet").
 */
async function observeUntilSettled(view: LiveClientView, clients: BotClient[], lastFault: number, settleMs: number, judge: JudgeSettings, config: SupervisorConfig, clock: Clock, live: () => void): Promise<void> {
  // The last fault's effect needs a moment to arrive (a close after a move, a 408 one keep-alive
  // tick after a clock jump): observe at least that long before judging who has settled.
  await new Promise((r) => setTimeout(r, config.keepAliveIntervalMs + 1_000));
  const deadline = lastFault + Math.max(settleMs, judge.recoveryBoundMs) + 500;
  const lastActivity = (i: number) => Math.max(lastFault, view.lastSeen(i) ?? lastFault);
  const settled = (c: BotClient, i: number) => view.isOpen(i) || (c.ended === true && clock.now() - lastActivity(i) >= judge.quietMs);
  for (live(); clock.now() < deadline && !clients.every(settled); live()) await new Promise((r) => setTimeout(r, 50));
}

export interface CheckOptions extends RunOptions {
  numRuns: number;
  /** fast-check's replay path, printed by a failure. */
  path?: string;
  /** Let undecided runs pass (default: an unknown verdict fails the check). */
  allowUnknown?: boolean;
}

export interface CheckResult {
  failed: boolean;
  /** The smallest failing schedule fast-check found. */
  counterexample?: Schedule;
  failures?: InvariantResult[];
  /** Paste-ready replay: {seed, path}. */
  replay?: { seed: number; path: string };
  runs: number;
  unknown: number;
  /** The undecided invariants, when a run ended before it could decide. */
  undecided?: InvariantResult[];
  /** The harness could not run the scenario as asked (never the bot's fault): the cause. */
  error?: string;
}

/**
 * The scenario as a property over generated schedules: fails on any invalid verdict, shrinking it;
 * an undecided run fails it too (unless allowed), and a harness error ends it with its cause.
 */
export async function checkScenario(scenario: Scenario, opts: CheckOptions): Promise<CheckResult> {
  let runs = 0;
  let unknown = 0;
  let undecided: InvariantResult[] | undefined;
  let error: string | undefined;
  let lastFailures: InvariantResult[] | undefined;
  const property = fc.asyncProperty(scenario.schedules(), async (schedule) => {
    if (error) return true; // the harness cannot run it: no point running more
    runs++;
    let result: ScenarioRun;
    try {
      result = await runScenario(scenario, schedule, opts);
    } catch (err) {
      error = (err as Error).message;
      return true;
    }
    if (result.verdict === 'unknown') {
      unknown++;
      undecided ??= result.results.filter((r) => r.verdict === 'unknown');
    }
    if (result.verdict === 'invalid') {
      lastFailures = result.results.filter((r) => r.verdict === 'invalid');
      return false;
    }
    return true;
  });
  const details = await fc.check(property, { seed: opts.seed, numRuns: opts.numRuns, ...(opts.path ? { path: opts.path } : {}), endOnFailure: false });
  if (error) return { failed: true, error, runs, unknown };
  if (!details.failed) return { failed: unknown > 0 && !opts.allowUnknown, runs, unknown, ...(undecided ? { undecided } : {}) };
  return {
    failed: true,
    counterexample: details.counterexample?.[0] as Schedule,
    ...(lastFailures ? { failures: lastFailures } : {}),
    replay: { seed: details.seed, path: details.counterexample ? details.counterexamplePath! : '' },
    runs,
    unknown,
  };
}
