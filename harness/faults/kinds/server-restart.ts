import { defineKind, nothingToClear } from './kind.js';

/** The fake server drops every connection and listens again on the same port. */
export const serverRestart = defineKind({
  name: 'server-restart',
  place: 'server',
  parse: () => {},
  apply: (_e, { place: server }) => server.restart(),
  clear: nothingToClear,
});
