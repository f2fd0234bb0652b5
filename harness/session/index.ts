import type { SessionStoreConfig } from '../supervisor/config.js';
import { FileSessionStore } from './file-store.js';
import { SqliteSessionStore } from './sqlite-store.js';
import type { SessionStore } from './store.js';

export { FileSessionStore, SqliteSessionStore };
export * from './store.js';

export function openSessionStore(config: SessionStoreConfig): SessionStore {
  return config.type === 'sqlite' ? new SqliteSessionStore(config.path) : new FileSessionStore(config.path);
}
