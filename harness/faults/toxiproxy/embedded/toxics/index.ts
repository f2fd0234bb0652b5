import { bandwidth } from './bandwidth.js';
import { latency } from './latency.js';
import { limitData } from './limit-data.js';
import { noop } from './noop.js';
import { resetPeer } from './reset-peer.js';
import { slicer } from './slicer.js';
import { slowClose } from './slow-close.js';
import { timeout } from './timeout.js';
import type { ToxicBehaviour } from './toxic.js';

/** The toxic types the embedded server knows, by Toxiproxy's names. */
export const TOXICS: Record<string, ToxicBehaviour<any>> = {
  latency,
  bandwidth,
  slow_close: slowClose,
  timeout,
  reset_peer: resetPeer,
  slicer,
  limit_data: limitData,
  noop,
};

export type { ToxicBehaviour, Chunk, StubContext } from './toxic.js';
