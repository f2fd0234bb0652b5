/**
 * report.html end to end: a real `tune` run (real Baileys against the fake server) writes the
 * report, and headless Chromium opens it from disk with the network cut off. The page must draw
 * every chart (distributions, a timeline per run, tune's trade-off) with pixels on each canvas,
 * log no error, request nothing off the file, and leave a screenshot for a person to look at.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, describe, expect, test } from 'vitest';
import { readReportFile } from '../../harness/report/write.js';
import { tempDir } from '../helpers.js';
import { runCli } from '../support/cli.js';

// Debian's package (.ci/run installs it). A test tool's own browser download is not possible here.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google's hosts on a closed network.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe.skipIf(!existsSync(CHROMIUM))(`report.html in headless Chromium (${CHROMIUM}; skipped when absent: apt-get install chromium)`, () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  test('opens offline, draws every chart, logs no error; a screenshot is kept', async () => {
    const out = await tempDir();
    const r = await runCli(['tune', '--scenario', 'stream-errors', '--vary', 'reconnect.baseDelay=500..4000', '--points', '2', '--seed', '3', '--quiet', '--out', out], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = await readReportFile(join(out, 'report.json'));
    // One ECDF per scenario, one timeline per run, one trade-off plot.
    const expectedCharts = report.scenarios.length + report.runs.length + 1;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Self-contained means nothing but the file itself is fetched.
    await page.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : (problems.push(`request: ${route.request().url()}`), route.abort())));
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForFunction(() => typeof (window as unknown as { __chartsRendered?: number }).__chartsRendered === 'number', undefined, { timeout: 20_000 });

    const rendered = await page.evaluate(() => (window as unknown as { __chartsRendered: number }).__chartsRendered);
    expect(rendered).toBe(expectedCharts);
    // Every canvas has drawn pixels: more than a few percent of it is not background.
    const inked = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return painted / (c.width * c.height);
      }),
    );
    expect(inked).toHaveLength(expectedCharts);
    for (const share of inked) expect(share).toBeGreaterThan(0.01);
    expect(await page.locator('h1').textContent()).toMatch(/baileys-chaos tune: valid/);
    expect(await page.locator('table').first().textContent()).toMatch(/stream-errors/);
    expect(problems).toEqual([]);

    const shot = join(out, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(20_000);
    if (process.env.KEEP_SCREENSHOT) await page.screenshot({ path: process.env.KEEP_SCREENSHOT, fullPage: true });
  }, 300_000);

  test('a run with message traffic marks its receipts and answers on the timeline', async () => {
    const out = await tempDir();
    const r = await runCli(['run', '--bot', 'examples/echo-bot/echo-bot.mjs', '--messages', '60', '--answers', '--scenario', 'stream-errors', '--runs', '1', '--seed', '7', '--quiet', '--out', out], { timeoutMs: 240_000 });
    expect(r.code, r.stderr).toBe(0);
    browser ??= await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(pathToFileURL(join(out, 'report.html')).href);
    await page.waitForFunction(() => typeof (window as unknown as { __chartsRendered?: number }).__chartsRendered === 'number', undefined, { timeout: 20_000 });
    // Points per dataset label of the run's timeline chart (Chart.js keeps every chart in Chart.instances).
    const marks = await page.evaluate(() => {
      const charts = Object.values((window as unknown as { Chart: { instances: Record<string, { data: { datasets: { label: string; data: unknown[] }[] } }> } }).Chart.instances);
      return Object.fromEntries(charts.flatMap((c) => c.data.datasets).map((d) => [d.label, d.data.length]));
    });
    const report = await readReportFile(join(out, 'report.json'));
    // One mark per server event: a message receipted twice (a redelivery) has two.
    expect(marks['client 0 receipted']).toBeGreaterThanOrEqual(report.runs[0]!.messages!.receipted);
    expect(report.runs[0]!.messages!.receipted).toBeGreaterThan(0);
    expect(marks['client 0 answered']).toBeGreaterThanOrEqual(report.runs[0]!.messages!.answered);
    expect(problems).toEqual([]);
  }, 300_000);
});
