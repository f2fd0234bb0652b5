// The programmatic API, for tests in a bot's own suite.
export { FakeWhatsAppServer } from '../fake-server/server.js';
export { startFakeServer } from './server.js';
export { startControlApi, DeviceRequestError, type DeviceProvisioner, type DeviceRequest } from '../fake-server/control-api.js';
export { provisionDevice, provisionForControlApi } from './provision.js';
export type { ServerMove, AdmissionPolicy } from '../fake-server/moves.js';
export { ObservedClient } from './baileys/client.js';
export { loadBaileys, trustTestRoot, SUPPORTED_BAILEYS_VERSIONS } from './baileys/versions.js';
export { Supervisor } from './supervisor/supervisor.js';
export { parseSupervisorConfig, loadSupervisorConfig, DEFAULT_SUPERVISOR_CONFIG } from './supervisor/config.js';
export { FileSessionStore, SqliteSessionStore, openSessionStore, SessionStoreError } from './session/index.js';
export { InProcessDriver } from './drivers/in-process.js';
export { SubprocessDriver, ChildClient } from './drivers/subprocess.js';
export { chooseBot, commandBot, moduleBot, shellCommandBot, supervisorBot, BotSetupError, type Bot, type BotClient, type BotClientContext, type BotReport, type Connector, type ConnectorContext, type ConnectorHandle, type RestartPolicy } from './bots/index.js';
export { systemClock, type Clock } from '../core/clock.js';
export { Rng } from '../core/random.js';
export { SCENARIOS } from '../scenarios/index.js';
export { runScenario, checkScenario, type Scenario, type ScenarioRun, type CheckResult } from './scenario.js';
export {
  ALL_INVARIANTS,
  recoversWithinBound,
  doesNotGiveUp,
  noQrAfterTransientFault,
  stopsAfter401,
  replacedInstanceStandsDown,
  backoffDiscipline,
  neverTwoOpen,
  storeReloadsAfterCrash,
  checkInvariants,
  type Invariant,
  type InvariantContext,
  type InvariantResult,
  type JudgeSettings,
  type Verdict,
} from './invariants.js';
export { judgeSettings, recoveryBoundMs, DEFAULT_RECOVERY_SLO_MS, DEFAULT_STORM_LIMIT } from './bots/bounds.js';
export { clientEvidence, type ClientEvidence, type ServerClose } from './recorder/evidence.js';
export { clientMetrics, type ClientMetrics } from './recorder/metrics.js';
export { messageInvariants, noInboundLost, noAnswerLost, notDeafAfterReconnect, noMessageHandledTwice } from './messages/invariants.js';
export { messageMetrics, type MessageMetrics } from './messages/metrics.js';
export type { MessageTraffic } from './messages/traffic.js';
export { parseSchedule, FAULT_KINDS, ScheduleError, type Schedule, type ScheduleEntry, type FaultKind } from './faults/schedule.js';
// Building blocks for your own scenarios' fault generators (fast-check arbitraries of schedules).
export { inSequence, stepsInSequence, type FaultStep } from '../scenarios/settings.js';
