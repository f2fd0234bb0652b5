// Backs off, stops on 401, but reconnects after being replaced (440): it fights the other instance.
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => (code === 401 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures) }) });
