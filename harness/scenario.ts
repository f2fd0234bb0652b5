/**
 * Scenarios: a small declarative description (clients, settings, a fast-check generator of fault
 * schedules, the invariants) that `runScenario` executes against the real stack — fake server,
 * Toxiproxy when the schedule needs it, real Baileys under the supervisor — and `checkScenario`
 * turns into a property: generated schedules, shrinking to the smallest failing one, and a
 * one-line replay (`{seed, path}`).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeWhatsAppServer } from '../fake-server/server.js';
import { provisionDevice } from '../fake-server/provision.js';
import { loadBaileys, trustTestRoot } from './baileys/versions.js';
import type { Clock } from './clock.js';
import { ClockInjector, KillInjector, PacketInjector, ServerInjector, ToxiproxyInjector } from './faults/injectors.js';
import { PacketLab } from './faults/packet/netns.js';
import { sessionPath } from './drivers/driver.js';
import { RespawningClient } from './drivers/respawning-client.js';
import type { EventStream } from './event-stream.js';
import { DateShim } from './faults/clock/date-shim.js';
import { runSchedule, ScheduleError, type FaultInjector, type Schedule } from './faults/schedule.js';
import { openToxiproxy, type ToxiproxyBackend } from './faults/toxiproxy/backend.js';
import { checkInvariants, type Invariant, type InvariantResult, type Verdict } from './invariants.js';
import { Rng } from './random.js';
import { clientMetrics, lastConnectionEvent, type ClientMetrics } from './recorder/metrics.js';
import { mergeTimeline, type RunRecord } from './recorder/timeline.js';
import { openSessionStore } from './session/index.js';
import { DEFAULT_SUPERVISOR_CONFIG, type SupervisorConfig } from './supervisor/config.js';
import { scaleConfig } from './supervisor/scale.js';
import { Supervisor, type SupervisorEvent, type SupervisorOptions } from './supervisor/supervisor.js';

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
}

export interface RunOptions {
  version: string;
  seed: number;
  scale: number;
  clock: Clock;
  /** The supervisor settings at real-world scale (default: the troubleshooting page's). */
  config?: SupervisorConfig;
  /** A supervisor class to test (default: the reference one), e.g. a deliberately broken variant. */
  supervisor?: new (opts: SupervisorOptions) => Supervisor;
}

export interface ScenarioRun {
  schedule: Schedule;
  record: RunRecord;
  metrics: ClientMetrics[];
  results: InvariantResult[];
  verdict: Verdict;
  /** Which Toxiproxy backend carried the schedule's network faults, if it had any. */
  toxiproxy?: ToxiproxyBackend['kind'];
}

/** The config a run of the scenario uses: the run's base, the scenario's overrides, time-scaled. */
export function scenarioConfig(scenario: Scenario, opts: Pick<RunOptions, 'config' | 'scale'>): SupervisorConfig {
  return scaleConfig({ ...(opts.config ?? DEFAULT_SUPERVISOR_CONFIG), ...scenario.configOverrides }, opts.scale);
}

/** A real-world schedule at a time scale: when each fault happens and how long it lasts. */
export function scaleSchedule(schedule: Schedule, scale: number): Schedule {
  return schedule.map((e) => ({ ...e, at: e.at * scale, ...(e.duration !== undefined ? { duration: e.duration * scale } : {}) }));
}

const needsToxiproxy = (s: Schedule) => s.some((e) => e.fault === 'toxic' || e.fault === 'proxy-down');
const needsPacketLab = (s: Schedule) => s.some((e) => e.fault === 'packet-loss' || e.fault === 'packet-bandwidth');
const needsProcesses = (s: Schedule) => needsPacketLab(s) || s.some((e) => e.fault === 'kill');

/** What the runner needs of a client, in this process (a Supervisor) or in its own (RespawningClient). */
interface RunClient {
  events: EventStream<SupervisorEvent>;
  /** Its process's error output, for a client in its own process that failed. */
  readonly error?: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs one schedule end to end and judges it. Everything it starts is stopped, even on failure. */
export async function runScenario(scenario: Scenario, schedule: Schedule, opts: RunOptions): Promise<ScenarioRun> {
  const config = scenarioConfig(scenario, opts);
  const driver = scenario.driver ?? 'in-process';
  if (needsProcesses(schedule) && driver !== 'subprocess') {
    throw new ScheduleError(`Failed to run scenario "${scenario.name}": its schedule kills clients or shapes their packets, which needs each client in its own process. Set driver: 'subprocess' on the scenario.`);
  }
  if (driver === 'subprocess' && opts.supervisor) {
    throw new ScheduleError(`Failed to run scenario "${scenario.name}" with a custom supervisor: its clients run in their own processes under the reference supervisor. Pick an in-process scenario to test your supervisor.`);
  }
  // Packet faults need the clients in a network namespace of the run's own, the server on its host side.
  const lab = needsPacketLab(schedule) ? await PacketLab.create() : undefined;
  let server: FakeWhatsAppServer | undefined;
  let workDir: string | undefined;
  const shim = new DateShim(opts.clock);
  let toxiproxy: ToxiproxyBackend | undefined;
  const clients: RunClient[] = [];
  try {
    server = await FakeWhatsAppServer.start({ clock: opts.clock, ...(lab ? { host: lab.hostAddress } : {}) });
    workDir = await mkdtemp(join(tmpdir(), 'bc-scenario-'));
    let wsUrl = server.wsUrl;
    const respawning: RespawningClient[] = [];
    const injectors: FaultInjector[] = [
      new ServerInjector(server, (i) => jids[i]),
      new ClockInjector(shim),
      new KillInjector(async (target, order) => {
        await Promise.all((target === 'all' ? respawning : [respawning[target]!]).map((c) => c.kill(order)));
      }),
    ];
    if (lab) injectors.push(new PacketInjector(lab));
    if (needsToxiproxy(schedule)) {
      toxiproxy = await openToxiproxy({ clock: opts.clock, seed: opts.seed });
      const proxy = await toxiproxy.client.createProxy('whatsapp', `${server.host}:${server.port}`);
      wsUrl = `ws://${proxy.listen}/ws/chat`;
      injectors.push(new ToxiproxyInjector(toxiproxy.client, proxy.name));
    }
    const baileys = await loadBaileys(opts.version);
    trustTestRoot(baileys, server.trustedPublicKey);
    const jids: string[] = [];
    const Impl = opts.supervisor ?? Supervisor;
    for (let i = 0; i < scenario.clients; i++) {
      const store = { type: scenario.store, path: sessionPath(workDir, scenario.store, i) };
      if (scenario.sharedDevice && i > 0) {
        // Another instance of the same bot: a copy of the first client's session.
        await cp(sessionPath(workDir, scenario.store, 0), store.path, { recursive: true });
        jids.push(jids[0]!);
      } else {
        jids.push((await provisionDevice(server, { store: openSessionStore(store), baileysVersion: opts.version })).jid);
      }
      if (driver === 'subprocess') {
        const spec = { version: opts.version, store, wsUrl, trustedPublicKey: server.trustedPublicKey.toString('base64'), config, seed: opts.seed + i };
        const child = new RespawningClient(spec, { ...(lab ? { netns: lab.ns } : {}), rng: new Rng(opts.seed + 1000 + i), writeWaitMs: config.loginTimeoutMs + 5_000, clock: opts.clock });
        respawning.push(child);
        clients.push(child);
      } else {
        clients.push(new Impl({ baileys, store: openSessionStore(store), config, clock: opts.clock, rng: new Rng(opts.seed + i), socketConfig: { waWebSocketUrl: wsUrl } }));
      }
    }
    const opened = (c: RunClient, i: number) =>
      c.events.waitFor((e) => e.type === 'open', 30_000, `client ${i} to open before the faults`, () => c.error ?? c.events.list().map((e) => e.type).join(','));
    if (scenario.sharedDevice) {
      // Instances of one bot start one after another, each replacing the one before (440).
      for (const [i, c] of clients.entries()) await c.start().then(() => opened(c, i));
    } else {
      await Promise.all(clients.map((c) => c.start()));
      await Promise.all(clients.map(opened));
    }
    const start = opts.clock.now();
    const run = runSchedule(scaleSchedule(schedule, opts.scale), injectors, opts.clock);
    await run.done;
    // Observe until every client is open again or stopped, bounded by the settle window.
    const settle = scenario.settleMs(config);
    const lastFault = run.events.list().at(-1)?.t ?? start;
    // The last fault's effect needs a moment to arrive (a close after a move, a 408 one keep-alive
    // tick after a clock jump): observe at least that long before judging who has settled.
    await new Promise((r) => setTimeout(r, config.keepAliveIntervalMs + 1_000));
    const settled = (c: RunClient) => {
      const last = lastConnectionEvent(c.events.list());
      return last !== undefined && last.type !== 'close';
    };
    await Promise.all(
      clients.map((c) =>
        settled(c) ? undefined : c.events.waitFor((e) => (e.type === 'open' || e.type === 'stopped') && e.t >= lastFault, settle, 'recovery').catch(() => undefined),
      ),
    );
    const record: RunRecord = {
      start,
      end: opts.clock.now(),
      jids,
      timeline: mergeTimeline({ clients: clients.map((c) => c.events.list()), server: server.events.list(), faults: run.events.list(), jids }),
    };
    const results = checkInvariants({ run: record, config, schedule }, scenario.invariants);
    const verdict: Verdict = results.some((r) => r.verdict === 'invalid') ? 'invalid' : results.some((r) => r.verdict === 'unknown') ? 'unknown' : 'valid';
    return { schedule, record, metrics: jids.map((_, i) => clientMetrics(record, i)), results, verdict, ...(toxiproxy ? { toxiproxy: toxiproxy.kind } : {}) };
  } finally {
    shim.restore();
    for (const c of clients) await c.stop();
    await toxiproxy?.close();
    await server?.close();
    await lab?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }
}

export interface CheckOptions extends RunOptions {
  numRuns: number;
  /** fast-check's replay path, printed by a failure. */
  path?: string;
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
}

/** The scenario as a property over generated schedules: fails on any invalid verdict, shrinking it. */
export async function checkScenario(scenario: Scenario, opts: CheckOptions): Promise<CheckResult> {
  let runs = 0;
  let unknown = 0;
  let lastFailures: InvariantResult[] | undefined;
  const property = fc.asyncProperty(scenario.schedules(), async (schedule) => {
    runs++;
    const result = await runScenario(scenario, schedule, opts);
    if (result.verdict === 'unknown') unknown++;
    if (result.verdict === 'invalid') {
      lastFailures = result.results.filter((r) => r.verdict === 'invalid');
      return false;
    }
    return true;
  });
  const details = await fc.check(property, { seed: opts.seed, numRuns: opts.numRuns, ...(opts.path ? { path: opts.path } : {}), endOnFailure: false });
  if (!details.failed) return { failed: false, runs, unknown };
  return {
    failed: true,
    counterexample: details.counterexample?.[0] as Schedule,
    ...(lastFailures ? { failures: lastFailures } : {}),
    replay: { seed: details.seed, path: details.counterexample ? details.counterexamplePath! : '' },
    runs,
    unknown,
  };
}
