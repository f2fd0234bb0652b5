import { defineKind, num, onePath, oneAtATime } from './kind.js';

/** params: {kbit}: tbf shaping of the clients' network namespace's egress. */
export const packetBandwidth = defineKind({
  name: 'packet-bandwidth',
  place: 'packets',
  ownProcess: true,
  parse(params, fail) {
    if (!num(params.kbit) || params.kbit <= 0) fail('needs params.kbit, a rate > 0');
  },
  exclusive: oneAtATime,
  unreachable: onePath,
  async apply(e, { place: lab }) {
    await lab.setBandwidth((e.params as { kbit: number }).kbit);
  },
  async clear(_e, { place: lab }) {
    await lab.setBandwidth(0);
  },
});
