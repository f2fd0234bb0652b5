import type { Scenario } from '../harness/scenario.js';
import { clockJumps } from './clock-jumps.js';
import { conflict } from './conflict.js';
import { crashDuringWrite, crashDuringWriteFileStore } from './crash-during-write.js';
import { handshakeRace } from './handshake-race.js';
import { keepaliveTimeout } from './keepalive-timeout.js';
import { loginNeverCompletes } from './login-never-completes.js';
import { unstableNetwork } from './unstable-network.js';
import { loggedOut } from './logged-out.js';
import { outageHerd } from './outage-herd.js';
import { packetLoss } from './packet-loss.js';
import { randomMix } from './random-mix.js';
import { serverOverload } from './server-overload.js';
import { serverRestartHerd } from './server-restart-herd.js';
import { streamErrors } from './stream-errors.js';

/** Every scenario, by name. */
export const SCENARIOS: Record<string, Scenario> = {
  [keepaliveTimeout.name]: keepaliveTimeout,
  [streamErrors.name]: streamErrors,
  [loggedOut.name]: loggedOut,
  [serverRestartHerd.name]: serverRestartHerd,
  [unstableNetwork.name]: unstableNetwork,
  [loginNeverCompletes.name]: loginNeverCompletes,
  [clockJumps.name]: clockJumps,
  [outageHerd.name]: outageHerd,
  [serverOverload.name]: serverOverload,
  [handshakeRace.name]: handshakeRace,
  [randomMix.name]: randomMix,
  [conflict.name]: conflict,
  [crashDuringWrite.name]: crashDuringWrite,
  [crashDuringWriteFileStore.name]: crashDuringWriteFileStore,
  [packetLoss.name]: packetLoss,
};
