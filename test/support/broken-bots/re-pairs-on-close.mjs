// Deletes its creds after any close and starts over with a fresh pairing (a QR): every hiccup costs a re-scan.
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => (code === 401 || code === 440 ? { action: 'stop' } : { action: 're-pair', delayMs: backoff(failures) }) });
