/** The fake server as the harness starts it: with the token dictionary of the Baileys it drives. */
import { FakeWhatsAppServer, type FakeServerOptions } from '../fake-server/server.js';
import { loadTokenDictionary } from './baileys/tokens.js';

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeWhatsAppServer> {
  return FakeWhatsAppServer.start({ ...options, dictionary: options.dictionary ?? (await loadTokenDictionary()) });
}
