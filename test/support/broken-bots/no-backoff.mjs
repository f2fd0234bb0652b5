// Reconnects at once after every close but 401: under an outage it hammers the server.
import { brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 'reconnect', delayMs: 0 }) });
