import { resolveAllowedRoots } from '../../fake-server/allowed-roots.js';
import { startControlApi } from '../../fake-server/control-api.js';
import { checkGivenToken } from '../../fake-server/control-token.js';
import { provisionForControlApi } from '../provision.js';
import { startFakeServer } from '../server.js';
import { parseFlags, parsePort, untilSignal, UsageError, type Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the fake WhatsApp Web server standalone, for any bot',
  help: `Usage: baileys-chaos serve [--host 127.0.0.1] [--port 0] [--control-port 0] [--token T] [--allow-dir DIR]... [--json]

Starts the fake WhatsApp Web server and its control API (HTTP+JSON).
  --host H          address to bind (default 127.0.0.1)
  --port P          WebSocket port (default 0 = ephemeral)
  --control-port P  control API port (default 0 = ephemeral)
  --token T         the control API's bearer token (default: env BAILEYS_CHAOS_TOKEN, else a random one);
                    every request but a GET must send "Authorization: Bearer T"
  --allow-dir DIR   POST /devices writes only under DIR (repeatable; default: the working
                    directory and the system temp dir)
  --json            print one line {"wsUrl": "...", "controlUrl": "...", "token": "..."} and nothing else on stdout
  --meter-cpu       meter protocol handling in CPU time (GET /stats), for benchmarks

Point a bot at wsUrl (Baileys socket config "waWebSocketUrl"), make it trust the test root
(GET /trust), and provision a session with POST /devices {"authDir": "..."} (with the token and
"Content-Type: application/json"). See README.`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'control-port': { type: 'string' },
      token: { type: 'string' },
      'allow-dir': { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'meter-cpu': { type: 'boolean' },
    });
    const host = values.host ?? '127.0.0.1';
    const given = values.token ?? (process.env.BAILEYS_CHAOS_TOKEN || undefined);
    const token = given === undefined ? undefined : asUsage(() => checkGivenToken(given));
    const allowDirs = values['allow-dir'];
    if (allowDirs) await asUsage(() => resolveAllowedRoots(allowDirs));
    const port = parsePort(values.port, '--port', 0);
    const controlPort = parsePort(values['control-port'], '--control-port', 0);
    const server = await startFakeServer({ host, port, meterHandlerCpu: !!values['meter-cpu'] });
    let api;
    try {
      api = await startControlApi(server, { host, port: controlPort, provision: provisionForControlApi, ...(token ? { token } : {}), ...(allowDirs ? { allowDirs } : {}) });
    } catch (err) {
      await server.close();
      throw err;
    }
    if (values.json) process.stdout.write(JSON.stringify({ wsUrl: server.wsUrl, controlUrl: api.url, token: api.token }) + '\n');
    else {
      process.stdout.write(`fake WhatsApp server  ${server.wsUrl}\ncontrol API           ${api.url}\n`);
      // A token the caller chose is not echoed into logs; a generated one must be shown to be used.
      process.stdout.write(`control token         ${token ? `(given by ${values.token ? '--token' : 'BAILEYS_CHAOS_TOKEN'})` : api.token}\n`);
      process.stdout.write(`trust key             ${server.trustedPublicKey.toString('base64')}\nCtrl-C to stop.\n`);
    }
    await untilSignal();
    await api.close();
    await server.close();
    return 0;
  },
};

/** A bad --token or --allow-dir is the caller's to fix (exit 2), not the harness failing. */
function asUsage<T>(fn: () => T): T {
  try {
    const out = fn();
    if (out instanceof Promise) return out.catch((err: Error) => Promise.reject(new UsageError(err.message))) as T;
    return out;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
