// Backs off, but treats a 401 (logged out) like any other close: a loop that can never succeed.
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => (code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: backoff(failures) }) });
