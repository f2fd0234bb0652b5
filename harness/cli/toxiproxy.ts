import { EmbeddedToxiproxy } from '../faults/toxiproxy/embedded/api.js';
import { systemClock } from '../../core/clock.js';
import { seedFrom } from '../../core/random.js';
import { parseFlags, parsePort, untilSignal, type Command } from './command.js';

export const toxiproxyCommand: Command = {
  name: 'toxiproxy',
  summary: 'run the embedded Toxiproxy-compatible server (a drop-in for toxiproxy-server)',
  help: `Usage: baileys-chaos toxiproxy [--host 127.0.0.1] [--port 8474] [--seed N]

Serves Toxiproxy's HTTP API with the toxics latency, bandwidth, slow_close, timeout, reset_peer,
slicer, limit_data and noop, for machines without Go or Docker. Any Toxiproxy client works.
  --seed N   seed for jitter, slicing and toxicity draws (printed; default: random)`,
  async run(argv) {
    const { values } = parseFlags(argv, { host: { type: 'string' }, port: { type: 'string' }, seed: { type: 'string' } });
    const seed = seedFrom(values.seed);
    const server = new EmbeddedToxiproxy({ host: values.host ?? '127.0.0.1', port: parsePort(values.port, '--port', 8474), clock: systemClock, seed });
    const url = await server.start();
    process.stdout.write(`embedded Toxiproxy API on ${url} (seed ${seed}). Ctrl-C to stop.\n`);
    await untilSignal();
    await server.close();
    return 0;
  },
};
