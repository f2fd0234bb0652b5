/**
 * What each server move makes each Baileys version report. This table is the source of the
 * README's "Server moves → DisconnectReason" table (test/unit/readme-table.test.ts keeps the two
 * equal) and test/e2e/server-moves.test.ts checks every row against the real clients.
 * `hang` = the client neither opens nor closes within the observation window.
 */
import type { AdmissionPolicy, ServerMove } from '../../fake-server/moves.js';

export type Outcome = number | 'hang' | 'open';

export interface MoveRow {
  /** How the README names it. */
  name: string;
  /** Applied to the open connection... */
  move?: ServerMove;
  /** ...or set before the client connects. */
  admission?: Partial<AdmissionPolicy>;
  /** Keep-alive interval for the row (silence needs a short one). */
  keepAliveIntervalMs?: number;
  connectTimeoutMs?: number;
  /** How long to watch for the outcome. */
  windowMs: number;
  /** The outcome, or the outcomes a real race may produce (each observed in this suite). */
  expected: Record<string, Outcome | Outcome[]>;
}

const both = (o: Outcome) => ({ '6.7.21': o, '7.0.0-rc14': o });

export const MOVE_TABLE: MoveRow[] = [
  { name: 'stream error 515 (restart required)', move: { kind: 'stream-error', code: 515 }, windowMs: 5_000, expected: both(515) },
  { name: 'stream error 503', move: { kind: 'stream-error', code: 503 }, windowMs: 5_000, expected: both(503) },
  { name: 'stream error 500', move: { kind: 'stream-error', code: 500 }, windowMs: 5_000, expected: both(500) },
  { name: 'stream error, unknown child, no code', move: { kind: 'stream-error-child', child: 'bad-mac' }, windowMs: 5_000, expected: both(500) },
  { name: 'conflict / replaced', move: { kind: 'conflict' }, windowMs: 5_000, expected: both(440) },
  { name: 'logged out / device removed', move: { kind: 'logged-out' }, windowMs: 5_000, expected: both(401) },
  { name: 'end of stream (xmlstreamend)', move: { kind: 'end-stream' }, windowMs: 5_000, expected: both(428) },
  { name: 'WebSocket close frame', move: { kind: 'ws-close' }, windowMs: 5_000, expected: both(428) },
  { name: 'TCP drop (no close frame)', move: { kind: 'drop' }, windowMs: 5_000, expected: both(428) },
  { name: '<failure reason=403/> on a live connection', move: { kind: 'failure', reason: 403 }, windowMs: 5_000, expected: both(403) },
  { name: 'downgrade_webclient', move: { kind: 'downgrade' }, windowMs: 5_000, expected: both(411) },
  { name: 'silence (keep-alive 1 s)', move: { kind: 'silence' }, keepAliveIntervalMs: 1_000, windowMs: 12_000, expected: both(408) },
  { name: 'refuse login (<failure reason=405/>)', admission: { refuseLogin: 405 }, windowMs: 5_000, expected: both(405) },
  { name: 'close mid-handshake', admission: { closeMidHandshake: true }, windowMs: 5_000, expected: both(428) },
  { name: 'no ServerHello (connectTimeoutMs 2 s)', admission: { silentHandshake: true }, connectTimeoutMs: 2_000, windowMs: 8_000, expected: both(408) },
  { name: 'HTTP upgrade rejected with 503', admission: { rejectUpgrade: 503 }, windowMs: 4_000, expected: both('hang') },
  { name: 'HTTP upgrade rejected with 403', admission: { rejectUpgrade: 403 }, windowMs: 4_000, expected: both('hang') },
  { name: '<success> withheld, pings answered', admission: { withholdSuccess: true }, keepAliveIntervalMs: 1_000, windowMs: 8_000, expected: both('hang') },
  { name: 'server clock 1 h ahead (timestamps it sends)', admission: { serverClockOffsetMs: 3_600_000 }, windowMs: 5_000, expected: both('open') },
  { name: 'server clock 1 h behind', admission: { serverClockOffsetMs: -3_600_000 }, windowMs: 5_000, expected: both('open') },
  // 6.7.x races its own async finishInit() against the server's first transport frame: an
  // unloaded machine mostly opens (0 lost of 20 here), a loaded one loses <success> and hangs
  // (seen in the full suite). 7.x buffers frames until its transport is ready: always opens.
  { name: 'first frame sent with no delay after the handshake', admission: { postHandshakeDelayMs: 0 }, windowMs: 5_000, expected: { '6.7.21': ['open', 'hang'], '7.0.0-rc14': 'open' } },
];

const MARK_BEGIN = '<!-- move-table:begin (generated from test/e2e/server-moves.table.ts by `npm run readme:table`) -->';
const MARK_END = '<!-- move-table:end -->';

/** The README table, rendered from MOVE_TABLE. */
export function renderMoveTable(versions: readonly string[]): string {
  const describe = (row: MoveRow) =>
    row.move ? `\`${JSON.stringify(row.move)}\`` : `admission \`${JSON.stringify(row.admission)}\``;
  const one = (o: Outcome) => (o === 'hang' ? '**hangs** (no close, no open)' : o === 'open' ? 'opens normally' : String(o));
  const cell = (o: Outcome | Outcome[] | undefined) => (o === undefined ? '?' : Array.isArray(o) ? `${o.map(one).join(', or ')} (a race: depends on timing)` : one(o));
  const lines = [
    `| server move | how | ${versions.map((v) => `Baileys ${v}`).join(' | ')} |`,
    `|---|---|${versions.map(() => '---').join('|')}|`,
    ...MOVE_TABLE.map((row) => `| ${row.name} | ${describe(row)} | ${versions.map((v) => cell(row.expected[v])).join(' | ')} |`),
  ];
  return [MARK_BEGIN, ...lines, MARK_END].join('\n');
}

/** Replaces the generated section of a README text. */
export function withMoveTable(readme: string, versions: readonly string[]): string {
  const start = readme.indexOf(MARK_BEGIN);
  const end = readme.indexOf(MARK_END);
  if (start < 0 || end < 0) throw new Error('README has no move-table markers');
  return readme.slice(0, start) + renderMoveTable(versions) + readme.slice(end + MARK_END.length);
}
