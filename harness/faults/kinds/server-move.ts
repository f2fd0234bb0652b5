import { parseMove, type ServerMove } from '../../../fake-server/moves.js';
import type { FakeWhatsAppServer } from '../../../fake-server/server.js';
import type { ScheduleEntry } from '../schedule.js';
import { defineKind } from './kind.js';

/** params: a ServerMove on the target's live connections; `silence` with a duration is resumed at its end. */
export const serverMove = defineKind({
  name: 'server-move',
  place: 'server',
  parse: (params) => void parseMove(params),
  async apply(e, { place: server }) {
    moveTargets(server, e, parseMove(e.params));
  },
  async clear(e, { place: server }) {
    if ((e.params as { kind?: string }).kind === 'silence') moveTargets(server, e, { kind: 'resume' });
  },
});

/** A move for one client reaches the connections labelled with its index (its own socket URL). */
function moveTargets(server: FakeWhatsAppServer, e: ScheduleEntry, move: ServerMove): void {
  if (e.target === undefined || e.target === 'all') {
    server.apply(move, 'all');
    return;
  }
  const ids = server.listConnections({ live: true }).filter((c) => c.client === String(e.target)).map((c) => c.id);
  for (const id of ids) server.apply(move, id);
}
