import { sleep, type ToxicBehaviour } from './toxic.js';

/**
 * On the first data, waits `timeout` ms and ends the connection. It is a TCP RST only for
 * connections accepted while the toxic existed (Toxiproxy sets SO_LINGER 0 when a link starts);
 * connections that were already open get a plain close.
 */
export const resetPeer: ToxicBehaviour<{ timeout: number }> = {
  defaults: { timeout: 0 },
  async onChunk(_chunk, _out, attrs, ctx, signal) {
    if (await sleep(attrs.timeout, signal)) ctx.close();
  },
};
