// Opens a new socket without ending the old one: after a close it starts two (two inits raced,
// openclaw #46188), so the newer login replaces the older (440), and it reconnects after that too.
import { backoff, brokenBot } from './loop.mjs';
export default brokenBot({ afterClose: ({ code, failures }) => (code === 401 ? { action: 'stop' } : { action: 'reconnect', delayMs: code === 515 ? 0 : backoff(failures), twice: code !== 440 }) });
