// Regenerates README's server-move table from test/e2e/server-moves.table.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { SUPPORTED_BAILEYS_VERSIONS } from '../harness/baileys/versions.js';
import { withMoveTable } from '../test/e2e/server-moves.table.js';

const path = new URL('../README.md', import.meta.url);
await writeFile(path, withMoveTable(await readFile(path, 'utf8'), SUPPORTED_BAILEYS_VERSIONS));
