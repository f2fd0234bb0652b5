import { defineKind, onePath } from './kind.js';

const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'noop'];

type ToxicParams = { type: string; stream?: 'upstream' | 'downstream'; attributes?: Record<string, number> };

/** params: {type, stream?, attributes}: a Toxiproxy toxic for the duration, named after the entry. */
export const toxic = defineKind({
  name: 'toxic',
  place: 'proxy',
  parse(params, fail) {
    if (!TOXIC_TYPES.includes(params.type as string)) fail(`has a toxic of unknown type ${JSON.stringify(params.type)} (known: ${TOXIC_TYPES.join(', ')})`);
    if (params.stream !== undefined && params.stream !== 'upstream' && params.stream !== 'downstream') fail('has a toxic "stream" that is neither "upstream" nor "downstream"');
  },
  // Toxiproxy keeps one toxic of a type per stream.
  exclusive: (e) => `toxic:${e.params?.type}:${e.params?.stream ?? 'downstream'}`,
  unreachable: onePath,
  async apply(e, { place: proxy, index }) {
    const p = e.params as ToxicParams;
    await proxy.client.addToxic(proxy.name, { name: toxicName(index), type: p.type, stream: p.stream ?? 'downstream', toxicity: 1, attributes: p.attributes ?? {} });
    return proxy.clock.now(); // in effect once the API has answered
  },
  async clear(_e, { place: proxy, index }) {
    await proxy.client.removeToxic(proxy.name, toxicName(index));
    return proxy.clock.now();
  },
});

const toxicName = (index: number) => `schedule-${index}`;
