import { defineKind, num, onePath, oneAtATime } from './kind.js';

/** params: {percent}: packets dropped at random in the clients' network namespace. */
export const packetLoss = defineKind({
  name: 'packet-loss',
  place: 'packets',
  ownProcess: true,
  parse(params, fail) {
    if (!num(params.percent) || params.percent < 0 || params.percent > 100) fail('needs params.percent, 0–100');
  },
  exclusive: oneAtATime,
  unreachable: onePath,
  async apply(e, { place: lab }) {
    await lab.setLoss((e.params as { percent: number }).percent);
  },
  async clear(_e, { place: lab }) {
    await lab.setLoss(0);
  },
});
