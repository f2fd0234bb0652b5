import { startControlApi } from '../../fake-server/control-api.js';
import { provisionForControlApi } from '../provision.js';
import { startFakeServer } from '../server.js';
import { parseFlags, parsePort, untilSignal, type Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the fake WhatsApp Web server standalone, for any bot',
  help: `Usage: baileys-chaos serve [--host 127.0.0.1] [--port 0] [--control-port 0] [--json]

Starts the fake WhatsApp Web server and its control API (HTTP+JSON).
  --host H          address to bind (default 127.0.0.1)
  --port P          WebSocket port (default 0 = ephemeral)
  --control-port P  control API port (default 0 = ephemeral)
  --json            print one line {"wsUrl": "...", "controlUrl": "..."} and nothing else on stdout
  --meter-cpu       meter protocol handling in CPU time (GET /stats), for benchmarks

Point a bot at wsUrl (Baileys socket config "waWebSocketUrl"), make it trust the test root
(GET /trust), and provision a session with POST /devices {"authDir": "..."}. See README.`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'control-port': { type: 'string' },
      json: { type: 'boolean' },
      'meter-cpu': { type: 'boolean' },
    });
    const host = values.host ?? '127.0.0.1';
    const server = await startFakeServer({ host, port: parsePort(values.port, '--port', 0), meterHandlerCpu: !!values['meter-cpu'] });
    let api;
    try {
      api = await startControlApi(server, { host, port: parsePort(values['control-port'], '--control-port', 0), provision: provisionForControlApi });
    } catch (err) {
      await server.close();
      throw err;
    }
    if (values.json) process.stdout.write(JSON.stringify({ wsUrl: server.wsUrl, controlUrl: api.url }) + '\n');
    else {
      process.stdout.write(`fake WhatsApp server  ${server.wsUrl}\ncontrol API           ${api.url}\n`);
      process.stdout.write(`trust key             ${server.trustedPublicKey.toString('base64')}\nCtrl-C to stop.\n`);
    }
    await untilSignal();
    await api.close();
    await server.close();
    return 0;
  },
};
