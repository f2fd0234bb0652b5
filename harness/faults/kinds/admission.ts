import { parseAdmission, type AdmissionPolicy } from '../../../fake-server/moves.js';
import { defineKind, oneAtATime, ScheduleError, targetsOne } from './kind.js';

const FLAGS = ['closeMidHandshake', 'silentHandshake', 'withholdSuccess'];

/** params: a partial AdmissionPolicy for every new connection, undone at the end of its duration. */
export const admission = defineKind({
  name: 'admission',
  place: 'server',
  parse: (params) => void parseAdmission(params),
  exclusive: oneAtATime,
  async apply(e, { place: server, index, kept }) {
    if (targetsOne(e)) throw new ScheduleError(`an admission change acts on every new connection; it cannot target client ${e.target}`);
    const change = parseAdmission(e.params ?? {});
    const current = server.admission();
    // What to put back: booleans default to false, status codes to null (= off).
    const previous = (k: string) => current[k as keyof AdmissionPolicy] ?? (FLAGS.includes(k) ? false : null);
    kept.set(index, Object.fromEntries(Object.keys(change).map((k) => [k, previous(k)])));
    server.setAdmission(change);
  },
  async clear(_e, { place: server, index, kept }) {
    server.setAdmission(parseAdmission(kept.get(index) ?? {}));
    kept.delete(index);
  },
});
