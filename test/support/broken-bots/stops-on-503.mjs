// Treats 500, 503 and 428 as fatal (they are transient): one server hiccup and it is down for good.
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => ([401, 440, 500, 503, 428].includes(code) ? { action: 'stop' } : { action: 'reconnect', delayMs: code === 515 ? 0 : backoff(failures) }) });
