// Waits between tries, but stops for good after three failed tries in a row: down until restarted.
import { brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => (code === 401 || code === 440 || failures > 3 ? { action: 'stop' } : { action: 'reconnect', delayMs: 300 }) });
