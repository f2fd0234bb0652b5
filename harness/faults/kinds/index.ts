/**
 * Every fault kind a schedule may name, in the order error messages list them. A kind is looked
 * up by name: the parser, the injector and the run hold no list of their own.
 */
import { admission } from './admission.js';
import { clockDrift } from './clock-drift.js';
import { clockJump } from './clock-jump.js';
import { clockSkew } from './clock-skew.js';
import { kill } from './kill.js';
import type { FaultKindModule } from './kind.js';
import { packetBandwidth } from './packet-bandwidth.js';
import { packetLoss } from './packet-loss.js';
import { proxyDown } from './proxy-down.js';
import { serverMove } from './server-move.js';
import { serverRestart } from './server-restart.js';
import { toxic } from './toxic.js';

export const FAULT_KIND_MODULES = [serverMove, admission, serverRestart, toxic, proxyDown, clockJump, clockSkew, clockDrift, packetLoss, packetBandwidth, kill] as const;

export type FaultKind = (typeof FAULT_KIND_MODULES)[number]['name'];

const byName = new Map<string, FaultKindModule<FaultKind>>(FAULT_KIND_MODULES.map((k) => [k.name, k]));

/** The module of a fault kind; undefined for a name no module has. */
export const kindOf = (name: string): FaultKindModule<FaultKind> | undefined => byName.get(name);
