/**
 * Writes a report's four files into one directory: report.json (the data), report.md (the CI
 * summary), report.html (self-contained, opens offline), junit.xml (CI test tabs). report.json is
 * written first and atomically (temp file + rename), so a crash while rendering loses no data.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseReport } from './build.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import type { RenderOptions } from './format.js';
import type { Report } from './schema.js';
import { BadInputError } from '../errors.js';

/** `opts.allowUnknown` (--allow-unknown): junit.xml skips unknown cases instead of failing them; report.md and report.html say so. */
export async function writeReportFiles(report: Report, dir: string, opts: RenderOptions = {}): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(`Failed to write the report into ${dir}: ${(err as Error).message}. Pass --out with a writable directory.`);
  }
  const json = join(dir, 'report.json');
  await writeAtomic(json, JSON.stringify(report, null, 1));
  const files = [json];
  for (const [name, render] of [
    ['report.md', renderMarkdown],
    ['report.html', renderHtml],
    ['junit.xml', renderJunit],
  ] as const) {
    await writeAtomic(join(dir, name), await render(report, opts));
    files.push(join(dir, name));
  }
  return files;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

export async function readReportFile(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BadInputError(`Failed to read the report ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}. Pass a report.json written by "baileys-chaos run".`);
  }
  try {
    return parseReport(JSON.parse(text), path);
  } catch (err) {
    if (err instanceof SyntaxError) throw new BadInputError(`Failed to read the report ${path}: not valid JSON (${err.message}).`);
    throw err instanceof BadInputError ? err : new BadInputError((err as Error).message);
  }
}
