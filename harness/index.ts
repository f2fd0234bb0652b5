// The programmatic API, for tests in a bot's own suite.
export { FakeWhatsAppServer } from '../fake-server/server.js';
export { startControlApi } from '../fake-server/control-api.js';
export { provisionDevice } from '../fake-server/provision.js';
export type { ServerMove, AdmissionPolicy } from '../fake-server/moves.js';
export { ObservedClient } from './baileys/client.js';
export { loadBaileys, trustTestRoot, SUPPORTED_BAILEYS_VERSIONS } from './baileys/versions.js';
export { Supervisor } from './supervisor/supervisor.js';
export { parseSupervisorConfig, loadSupervisorConfig, DEFAULT_SUPERVISOR_CONFIG } from './supervisor/config.js';
export { FileSessionStore, SqliteSessionStore, openSessionStore, SessionStoreError } from './session/index.js';
export { InProcessDriver } from './drivers/in-process.js';
export { SubprocessDriver, ChildClient } from './drivers/subprocess.js';
export { UserModuleDriver, type ConnectorContext, type Connector } from './drivers/user-module.js';
export { systemClock, type Clock } from './clock.js';
export { Rng } from './random.js';
export { SCENARIOS } from '../scenarios/index.js';
export { runScenario, checkScenario, type Scenario, type ScenarioRun, type CheckResult } from './scenario.js';
export { ALL_INVARIANTS, type Invariant, type Verdict } from './invariants.js';
