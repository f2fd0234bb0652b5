/**
 * report.html — one self-contained file that opens offline: Chart.js is inlined, the report's
 * data rides along as JSON, and a small page script draws
 *   - per scenario, the recovery-time distribution of each version (and setting): an empirical CDF;
 *   - per run, a timeline: each client's connection state over time, faults shaded, attempts marked,
 *     and in runs with message traffic its messages: receipted, answered, decrypt failures, reused keys, lost;
 *   - for tune, the trade-off (recovery p95 against attempts per minute) with the Pareto front.
 * The page sets `window.__chartsRendered` to the number of charts it drew (a test checks it).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatRecovery, overallVerdict, timeBasis, type RenderOptions } from './format.js';
import type { Report } from './schema.js';

/** Timelines beyond this many runs are left out of the page (report.json has them all). */
export const MAX_TIMELINES = 60;

async function chartJsSource(): Promise<string> {
  // chart.js's exports map hides dist/; its main entry sits beside the UMD build.
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** JSON safe inside a <script> element: no "</script>", no "<!--". */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** The data the page script needs, trimmed: no invariant messages or full configs. */
function pageData(report: Report) {
  return {
    timeScale: report.timeScale,
    versions: report.versions,
    // Clients never open again count in the denominator: the curve then tops out below 1.
    recoveries: report.runs.filter((r) => r.verdict !== 'error').map((r) => ({ scenario: r.scenario, version: r.version, setting: r.setting, ms: r.metrics.flatMap((m) => (m.recoverMs === null ? [] : [m.recoverMs])), notRecovered: r.metrics.filter((m) => m.recoverMs === null).length })),
    timelines: report.runs.slice(0, MAX_TIMELINES).map((r) => ({ id: r.id, verdict: r.verdict, windowMs: r.windowMs, clients: r.metrics.map((m) => m.client), durations: r.schedule.map((e) => e.duration ?? null), timeline: r.timeline, lost: r.messages?.lostIds ?? [] })),
    tune: report.tune ? { parameters: report.tune.parameters, recommended: report.tune.recommended.setting, points: report.tune.points } : null,
  };
}

function summaryTable(report: Report): string {
  const head = ['scenario', 'version', ...(report.settings.length > 1 ? ['setting'] : []), 'verdict', 'runs (valid/invalid/unknown/error)', 'recovery p50', 'p95', 'p99', 'not recovered', 'attempts/run', 'QR re-pairs', 'availability'];
  const rows = report.summary.map((s) =>
    [s.scenario, s.version, ...(report.settings.length > 1 ? [s.setting] : []), s.verdict, `${s.runs} (${s.valid}/${s.invalid}/${s.unknown}/${s.error ?? 0})`, formatRecovery(s.recoveryMs.p50, s.notRecovered), formatRecovery(s.recoveryMs.p95, s.notRecovered), formatRecovery(s.recoveryMs.p99, s.notRecovered), `${s.notRecovered ?? 0}/${s.clients ?? 0}`, s.attemptsPerRun.toFixed(1), String(s.qrRePairs), `${(s.availability * 100).toFixed(1)} %`]
      .map((c, i) => `<td${i === (report.settings.length > 1 ? 3 : 2) ? ` class="${s.verdict}"` : ''}>${escapeHtml(c)}</td>`)
      .join(''),
  );
  return `<table><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.map((r) => `<tr>${r}</tr>`).join('')}</table>`;
}

/** Every run with its verdict, what failed, and the line that replays it. */
function runsTable(report: Report): string {
  const rows = report.runs.map((r) => {
    const failed = r.invariants.filter((i) => i.verdict !== 'valid').map((i) => `${i.verdict}: client ${i.client} ${i.invariant} — ${i.message}`);
    const cause = r.error ? [`${r.verdict === 'error' ? 'the harness could not run it (not blamed on the bot)' : 'error'}: ${r.error.split('\n')[0]}`] : [];
    return `<tr><td>${escapeHtml(r.id)}</td><td class="${r.verdict}">${r.verdict}</td><td>${escapeHtml([...cause, ...failed].join('; ') || '—')}</td><td><code>${escapeHtml(r.replay)}</code></td></tr>`;
  });
  return `<table><tr><th>run</th><th>verdict</th><th>not valid</th><th>replay</th></tr>${rows.join('')}</table>`;
}

export async function renderHtml(report: Report, opts: RenderOptions = {}): Promise<string> {
  const chartJs = await chartJsSource();
  const count = (v: string) => report.runs.filter((r) => r.verdict === v).length;
  const verdict = overallVerdict(report.runs.map((r) => r.verdict));
  const allowed = verdict === 'unknown' && opts.allowUnknown ? ' (allowed: --allow-unknown)' : '';
  const omitted = Math.max(0, report.runs.length - MAX_TIMELINES);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>baileys-chaos ${escapeHtml(report.kind)} — ${verdict}${allowed}</title>
<style>
  body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #1d2330; padding: 0 16px; }
  h1 .valid { color: #1a7f37 } h1 .invalid { color: #cf222e } h1 .unknown { color: #9a6700 } h1 .error { color: #8250df }
  table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px }
  th, td { border: 1px solid #d0d7de; padding: 3px 7px; text-align: left }
  th { background: #f3f5f8 }
  .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 18px }
  .chart { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px; height: 300px; position: relative }
  .timeline { height: 170px }
  .meta { color: #57606a }
  td.valid { color: #1a7f37 } td.invalid { color: #cf222e } td.unknown { color: #9a6700 } td.error { color: #8250df; font-weight: 600 }
  code { font-size: 12px }
</style>
</head>
<body>
<h1>baileys-chaos ${escapeHtml(report.kind)}: <span class="${verdict}">${verdict}</span>${allowed}</h1>
<p class="meta">${report.runs.length} runs (${count('valid')} valid, ${count('invalid')} invalid, ${count('unknown')} unknown, ${count('error')} error: the harness could not run them) ·
seed ${report.seed} · ${escapeHtml(timeBasis(report))} ·
Baileys ${report.versions.map(escapeHtml).join(', ')} · bot under test: ${escapeHtml(report.bot)} ·
${escapeHtml(report.machine.cpuModel)} ×${report.machine.cpus}, Node ${escapeHtml(report.machine.node)} · ${escapeHtml(report.createdAt)}</p>
<h2>Summary</h2>
${summaryTable(report)}
<h2>Recovery-time distribution</h2>
<p class="meta">Share of clients open again within a given time after the last fault cleared, per scenario (clients never open again keep a line below 1); one line per Baileys version${report.settings.length > 1 ? ' and setting' : ''}.</p>
<div class="charts" id="distributions"></div>
${report.tune ? '<h2>Tune: recovery against reconnect pressure</h2>\n<p class="meta">Each point is one setting; the line joins the Pareto front; ★ is the recommendation.</p>\n<div class="charts"><div class="chart" style="height:420px"><canvas id="tune"></canvas></div></div>' : ''}
<h2>Run timelines</h2>
<p class="meta">Each client's connection as the server saw it (high = open, middle = connecting, low = closed); faults shaded red; ▲ connection attempts.${report.runs.some((r) => r.messages) ? ' Messages, at the top of a client\'s row: ● receipted, ◆ answered, ✚ a decrypt failure (retry receipt), ✱ an answer sealed with a message key the bot had used before, ✖ lost (at the time the server first took it).' : ''}${omitted ? ` The first ${MAX_TIMELINES} runs are drawn; ${omitted} more are in report.json.` : ''}</p>
<div class="charts" id="timelines"></div>
<h2>Runs</h2>
${runsTable(report)}
<script>${chartJs.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="data">${scriptJson(pageData(report))}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/** Runs in the browser: plain ES2017, no modules. */
const PAGE_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#0598bc', '#bf3989', '#57606a'];
  var rendered = 0;
  Chart.defaults.animation = false;
  function box(parent, cls) {
    var div = document.createElement('div');
    div.className = 'chart' + (cls ? ' ' + cls : '');
    var canvas = document.createElement('canvas');
    div.appendChild(canvas);
    parent.appendChild(div);
    return canvas;
  }
  function seconds(ms) { return ms / 1000; }

  // One ECDF chart per scenario, a line per version (and setting).
  var groups = {};
  data.recoveries.forEach(function (r) {
    var key = r.scenario;
    groups[key] = groups[key] || {};
    var series = r.version + (r.setting === 'default' ? '' : ' [' + r.setting + ']');
    var g = groups[key][series] = groups[key][series] || { ms: [], notRecovered: 0 };
    g.ms = g.ms.concat(r.ms);
    g.notRecovered += r.notRecovered || 0;
  });
  Object.keys(groups).forEach(function (scenario) {
    var names = Object.keys(groups[scenario]);
    var datasets = names.slice(0, palette.length * 2).map(function (name, i) {
      var g = groups[scenario][name];
      var xs = g.ms.slice().sort(function (a, b) { return a - b; });
      var n = xs.length + g.notRecovered;
      var points = xs.map(function (x, k) { return { x: seconds(x), y: (k + 1) / n }; });
      if (points.length) points.unshift({ x: 0, y: 0 });
      return { label: name + ' (' + xs.length + '/' + n + ' recovered)', data: points, stepped: 'before', borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], pointRadius: 2, borderWidth: 2 };
    });
    new Chart(box(document.getElementById('distributions')), {
      type: 'line',
      data: { datasets: datasets },
      options: { maintainAspectRatio: false, parsing: true,
        plugins: { title: { display: true, text: scenario + ': recovery time (ECDF)' } },
        scales: { x: { type: 'linear', title: { display: true, text: 'recovery time, s (real-world)' }, min: 0 },
                  y: { min: 0, max: 1, title: { display: true, text: 'share of clients recovered' } } } }
    });
    rendered++;
  });

  // Faults as shaded bands, drawn under the datasets.
  var faultBands = {
    id: 'faultBands',
    beforeDatasetsDraw: function (chart, args, opts) {
      var area = chart.chartArea, x = chart.scales.x, ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = 'rgba(207, 34, 46, 0.16)';
      (opts.bands || []).forEach(function (b) {
        var left = Math.max(area.left, x.getPixelForValue(b.from));
        var right = Math.min(area.right, Math.max(left + 2, x.getPixelForValue(b.to)));
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
      });
      ctx.restore();
    }
  };

  var LEVEL = { closed: 0.05, connecting: 0.4, open: 0.75 };

  // A run's messages on a client's row (server points; a lost one where the server first took it).
  var MARKS = [
    { type: 'message-receipted', label: 'receipted', style: 'circle', color: '#1a7f37', y: 0.88 },
    { type: 'message-answered', label: 'answered', style: 'rectRot', color: '#0969da', y: 0.94 },
    { type: 'message-decrypt-failed', label: 'decrypt failed', style: 'cross', color: '#bc4c00', y: 0.82 },
    { type: 'message-key-reused', label: 'key reused', style: 'star', color: '#8250df', y: 0.82 }
  ];
  function messageMarks(run, c) {
    var mine = run.timeline.filter(function (p) { return p.source === 'server' && p.client === c && /^message-/.test(p.type); });
    var sets = MARKS.map(function (m) {
      var data = mine.filter(function (p) { return p.type === m.type; }).map(function (p) { return { x: seconds(p.t), y: c + m.y }; });
      return { type: 'scatter', label: 'client ' + c + ' ' + m.label, data: data, pointStyle: m.style, pointRadius: 3, borderColor: m.color, backgroundColor: m.color };
    });
    var lost = (run.lost || []).map(function (id) {
      return mine.find(function (p) { return (p.type === 'message-queued' || p.type === 'message-sent') && p.detail === id; });
    }).filter(Boolean).map(function (p) { return { x: seconds(p.t), y: c + 0.88 }; });
    sets.push({ type: 'scatter', label: 'client ' + c + ' lost', data: lost, pointStyle: 'crossRot', pointRadius: 7, borderWidth: 3, borderColor: '#cf222e', backgroundColor: '#cf222e' });
    return sets.filter(function (s) { return s.data.length; });
  }
  data.timelines.forEach(function (run) {
    var bands = [], open = [];
    var datasets = [];
    // Applied and cleared share their detail ("#N kind ..."); a fault without a duration is
    // instantaneous (a stream error) and one never cleared lasts to the end of the window.
    run.timeline.forEach(function (p) {
      if (p.source !== 'fault') return;
      if (p.type === 'fault-applied') {
        var index = Number((/^#(\d+)/.exec(p.detail || '') || [])[1]);
        var band = { from: seconds(p.t), to: null, detail: (p.detail || '').replace(/^#\d+ /, '') };
        if (run.durations[index] === null) band.to = band.from; else open.push({ key: p.detail, band: band });
        bands.push(band);
      }
      if (p.type === 'fault-cleared') {
        var k = open.findIndex(function (o) { return o.key === p.detail; });
        if (k >= 0) { open[k].band.to = seconds(p.t); open.splice(k, 1); }
      }
    });
    open.forEach(function (o) { o.band.to = seconds(run.windowMs); });
    run.clients.forEach(function (c, i) {
      var color = palette[i % palette.length];
      var state = 'closed', steps = [{ x: 0, y: c + LEVEL.closed }], attempts = [];
      // The server's record when it has one for the client (attempt/open/closed), else the bot's own events.
      var source = run.timeline.some(function (p) { return p.source === 'server' && p.client === c && p.type === 'attempt'; }) ? 'server' : 'client';
      run.timeline.forEach(function (p) {
        if (p.source !== source || p.client !== c) return;
        var next = p.type === 'open' ? 'open' : p.type === 'attempt' ? 'connecting' : (p.type === 'close' || p.type === 'closed' || p.type === 'stopped') ? 'closed' : null;
        if (p.type === 'attempt') attempts.push({ x: seconds(p.t), y: c + LEVEL.connecting });
        if (next && next !== state) { state = next; steps.push({ x: seconds(p.t), y: c + LEVEL[state] }); }
      });
      steps.push({ x: seconds(run.windowMs), y: c + LEVEL[state] });
      datasets.push({ type: 'line', label: 'client ' + c, data: steps, stepped: 'before', borderColor: color, pointRadius: 0, borderWidth: 2 });
      datasets.push({ type: 'scatter', label: 'client ' + c + ' attempts', data: attempts, pointStyle: 'triangle', pointRadius: 5, borderColor: color, backgroundColor: color });
      messageMarks(run, c).forEach(function (d) { datasets.push(d); });
    });
    new Chart(box(document.getElementById('timelines'), 'timeline'), {
      type: 'line',
      data: { datasets: datasets },
      plugins: [faultBands],
      options: { maintainAspectRatio: false,
        plugins: { faultBands: { bands: bands }, legend: { display: false },
                   title: { display: true, text: run.id + ' — ' + run.verdict + (bands.length ? ' — faults: ' + bands.map(function (b) { return b.detail; }).filter(Boolean).slice(0, 3).join(', ') : '') } },
        scales: { x: { type: 'linear', min: 0, max: seconds(run.windowMs), title: { display: true, text: 's (real-world)' } },
                  y: { min: 0, max: run.clients.length, ticks: { stepSize: 1 }, title: { display: true, text: 'client' } } } }
    });
    rendered++;
  });

  if (data.tune) {
    var pts = data.tune.points.filter(function (p) { return p.recoveryP95Ms !== null; });
    var xy = function (p) { return { x: p.attemptsPerMinute, y: seconds(p.recoveryP95Ms), label: p.setting }; };
    var front = pts.filter(function (p) { return p.pareto; }).map(xy).sort(function (a, b) { return a.x - b.x; });
    var best = pts.filter(function (p) { return p.setting === data.tune.recommended; }).map(xy);
    new Chart(document.getElementById('tune'), {
      type: 'scatter',
      data: { datasets: [
        { label: 'setting', data: pts.filter(function (p) { return !p.pareto; }).map(xy), backgroundColor: '#8c959f', pointRadius: 5 },
        { type: 'line', label: 'Pareto front', data: front, borderColor: '#0969da', backgroundColor: '#0969da', pointRadius: 6 },
        { label: 'recommended', data: best, pointStyle: 'star', pointRadius: 14, borderColor: '#bc4c00', backgroundColor: '#bc4c00', borderWidth: 3 }
      ] },
      options: { maintainAspectRatio: false,
        plugins: { title: { display: true, text: 'recovery p95 vs reconnect pressure (' + data.tune.parameters.join(', ') + ')' },
                   tooltip: { callbacks: { label: function (ctx) { return ctx.raw.label + ': ' + ctx.raw.y.toFixed(1) + ' s, ' + ctx.raw.x.toFixed(1) + '/min'; } } } },
        scales: { x: { title: { display: true, text: 'attempts per minute (all clients)' } },
                  y: { title: { display: true, text: 'recovery p95, s (real-world)' } } } }
    });
    rendered++;
  }
  window.__chartsRendered = rendered;
})();
`;
