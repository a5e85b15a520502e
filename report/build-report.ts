/**
 * `stde-bench report DIR` → DIR/report/index.html: one self-contained offline page (inline CSS and
 * SVG charts, no script, no network) plus DIR/report/charts/*.png. Per PDE: scaling of speed and
 * memory over d, speed-up over nested backprop, error against steps, and a table of every metric per
 * d × estimator with the paper's value and our ratio to it; then the machine, the paper's numbers for
 * the run's table, and every cell.
 */
import { accessSync, constants, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { readResultsFolder, type LoadedRun } from './load-run.ts';
import { aggregate, estimatorLabel, type ConfigSummary } from './aggregate.ts';
import { loadReference, type Reference, type PaperValue } from './reference.ts';
import { barChart, errorChart, scalingChart, type BarPoint, type ErrorChartPoint, type FailedPoint, type SeriesPoint } from './charts.ts';
import { pngOf, renderSvg } from './render-chart.ts';
import { esc, fmt, slugify, STYLE, table } from './html.ts';
import { COLUMNS, FINISHED } from '../benchmarks/runner/csv-store.ts';
import { UsageError } from '../engine/errors.ts';

export interface ReportResult {
  html: string;
  charts: string[];
}

interface Chart {
  name: string;
  kind: string;
  pde: string;
  caption: string;
  spec: TopLevelSpec;
}


/** The network of a configuration (width, depth, weight-sharing block), to tell series apart. */
function netOf(c: ConfigSummary): string {
  return `w${c.width ?? '?'} L${c.depth ?? '?'}${(c.block ?? 1) > 1 ? ` B${c.block}` : ''}`;
}

/** The same colour for the same estimator on every chart of a PDE. */
function withSeriesColours<T>(spec: T, domain: string[]): T {
  const layers = (spec as { layer?: { encoding?: { color?: Record<string, unknown> } }[] }).layer ?? [spec as { encoding?: { color?: Record<string, unknown> } }];
  for (const l of layers) if (l.encoding?.color) l.encoding.color.scale = { domain };
  return spec;
}

/** Series name of a configuration: the estimator label, plus the network when a PDE has several. */
function seriesOf(c: ConfigSummary, multiNet: boolean): string {
  return multiNet ? `${c.label} (${netOf(c)})` : c.label;
}

/** it/s of nested backprop at the same d, network and variant (same R where nested ran with it). */
function nestedPeer(c: ConfigSummary, cs: ConfigSummary[]): number | undefined {
  const peers = cs.filter((n) => n.estimator === 'nested' && n.dim === c.dim && n.width === c.width && n.depth === c.depth && n.block === c.block && n.variant === c.variant && n.stat('it_per_s'));
  return (peers.find((n) => n.R === c.R) ?? peers[0])?.stat('it_per_s')?.mean;
}

function chartsFor(pde: string, cs: ConfigSummary[], run: LoadedRun): Chart[] {
  const nets = new Set(cs.map((c) => netOf(c)));
  const dims = new Set(cs.map((c) => c.dim));
  // One d and several networks (Table 11): compare across networks instead of across d.
  const byNet = dims.size === 1 && nets.size > 1;
  const multi = nets.size > 1 && !byNet;
  const s = (c: ConfigSummary) => seriesOf(c, multi);
  const charts: Chart[] = [];
  // A cell stopped at its time limit with steps timed is a point of the speed chart, not a failure marker.
  const failed: FailedPoint[] = cs.filter((c) => !FINISHED.has(c.status) && !c.stat('it_per_s')).map((c) => ({ dim: c.dim, series: s(c), status: c.status }));
  const netOrder = (c: ConfigSummary) => (c.depth ?? 0) * 1e6 + (c.width ?? 0) * 10 + (c.block ?? 1) / 1e4;
  const bar = (c: ConfigSummary, value: number): BarPoint =>
    byNet ? { x: netOf(c), order: netOrder(c), series: s(c), value } : { x: String(c.dim), order: c.dim, series: s(c), value };

  if (byNet) {
    const speed = cs.flatMap((c) => (c.stat('it_per_s') ? [bar(c, (c.stat('it_per_s') as { mean: number }).mean)] : []));
    if (speed.length) {
      charts.push({
        name: `${pde}-speed`, kind: 'speed-by-network', pde,
        caption: `Steady-state iterations per second per network (width w, depth L, block B), d = ${[...dims][0]}. Failed cells are listed in the table.`,
        spec: barChart(`${pde}: speed per network`, 'network', 'iterations / s', speed),
      });
    }
    const mem = cs.flatMap((c) => (c.stat('peak_tensor_mb') ? [bar(c, (c.stat('peak_tensor_mb') as { mean: number }).mean)] : []));
    if (mem.length) {
      charts.push({
        name: `${pde}-memory`, kind: 'memory-by-network', pde,
        caption: 'Tensor peak of one profiled step per network (process resident peak: see the table).',
        spec: barChart(`${pde}: peak tensor memory per network`, 'network', 'MB', mem),
      });
    }
  } else {
    const speed: SeriesPoint[] = cs.flatMap((c) => {
      const v = c.stat('it_per_s');
      return v ? [{ dim: c.dim, series: s(c), value: v.mean }] : [];
    });
    if (speed.length || failed.length) {
      charts.push({
        name: `${pde}-speed`, kind: 'speed-scaling', pde,
        caption: 'Steady-state iterations per second over d (log–log); markers at the top: cells that did not run.',
        spec: scalingChart(`${pde}: speed over d`, 'iterations / s', speed, failed),
      });
    }
    const mem: SeriesPoint[] = cs.flatMap((c) => {
      const out: SeriesPoint[] = [];
      const t = c.stat('peak_tensor_mb');
      const r = c.stat('rss_peak_mb');
      if (t) out.push({ dim: c.dim, series: s(c), value: t.mean, kind: 'tensor peak (tf.profile)' });
      if (r) out.push({ dim: c.dim, series: s(c), value: r.mean, kind: 'process RSS peak' });
      return out;
    });
    if (mem.length || failed.length) {
      charts.push({
        name: `${pde}-memory`, kind: 'memory-scaling', pde,
        caption: 'Peak memory over d (log–log): tensor peak of one profiled step (solid) and process resident peak (dashed).',
        spec: scalingChart(`${pde}: peak memory over d`, 'MB', mem, failed, 'probe'),
      });
    }
  }
  const speedup: BarPoint[] = cs.flatMap((c) => {
    const mine = c.stat('it_per_s');
    const ref = c.estimator === 'nested' ? undefined : nestedPeer(c, cs);
    return mine && ref ? [bar(c, mine.mean / ref)] : [];
  });
  if (speedup.length) {
    charts.push({
      name: `${pde}-speedup`, kind: 'speedup', pde,
      caption: `Iterations per second relative to nested backprop (looped SDGD) at the same ${byNet ? 'network' : 'd'}; dashed line: 1×.`,
      spec: barChart(`${pde}: speed-up over nested backprop`, byNet ? 'network' : 'dimension d', 'speed-up over nested (×)', speedup, true),
    });
  }
  for (const dim of [...dims].sort((a, b) => a - b)) {
    const at = cs.filter((c) => c.dim === dim && FINISHED.has(c.status));
    const pts = (field: 'rel_l2' | 'rel_l1'): ErrorChartPoint[] =>
      at.flatMap((c) => {
        const bySteps = new Map<number, number[]>();
        for (const r of c.rows) {
          if (r.status !== 'ok') continue;
          for (const e of run.evals(String(r.cell))) {
            const v = e[field];
            if (typeof v === 'number' && Number.isFinite(v) && v > 0) bySteps.set(e.step, [...(bySteps.get(e.step) ?? []), v]);
          }
        }
        return [...bySteps].map(([step, vs]) => ({ step, series: seriesOf(c, nets.size > 1), value: vs.reduce((a, b) => a + b, 0) / vs.length }));
      });
    const l2 = pts('rel_l2');
    const [points, label] = l2.length ? [l2, 'relative L2 error'] : [pts('rel_l1'), 'relative L1 error'];
    if (points.length) {
      charts.push({
        name: `${pde}-d${dim}-error`, kind: 'error-steps', pde,
        caption: `Test error at each evaluation (mean over seeds), d = ${dim}.`,
        spec: errorChart(`${pde}, d = ${dim}: error over training`, label, points),
      });
    }
  }
  const domain = [...new Set(cs.map((c) => s(c)))].sort();
  const errorDomain = [...new Set(cs.map((c) => seriesOf(c, nets.size > 1)))].sort();
  return charts.map((ch) => ({ ...ch, spec: withSeriesColours(ch.spec, ch.kind === 'error-steps' ? errorDomain : domain) }));
}

interface MetricCol {
  head: string;
  metric: string;
  kind: 'sci' | 'num' | 'int';
  /** The paper's metric this compares with (reference `metric` column), if any. */
  paper?: string;
}

const METRICS: MetricCol[] = [
  { head: 'it/s', metric: 'it_per_s', kind: 'num', paper: 'it_per_s' },
  { head: 'step ms (median)', metric: 'step_ms_median', kind: 'num' },
  { head: 'tensor peak MB', metric: 'peak_tensor_mb', kind: 'num', paper: 'peak_tensor_mb' },
  { head: 'RSS peak MB', metric: 'rss_peak_mb', kind: 'int' },
  { head: 'rel L2 best', metric: 'rel_l2_best', kind: 'sci', paper: 'rel_l2_best' },
  { head: 'rel L2 final', metric: 'rel_l2_final', kind: 'sci' },
  { head: 'rel L1 best', metric: 'rel_l1_best', kind: 'sci', paper: 'rel_l1_best' },
  { head: 'rel L1 final', metric: 'rel_l1_final', kind: 'sci' },
  { head: 'params', metric: 'params', kind: 'int', paper: 'params' },
];

function paperCell(p: PaperValue | undefined): string {
  if (!p) return '';
  if (p.status !== 'ok') return `<span class="fail" title="${esc(p.paper_method)}">${esc(p.status.toUpperCase())}</span>`;
  const std = p.stdText ? ` ± ${esc(p.stdText)}` : '';
  const title = `${p.table}, ${p.paper_method}${p.note ? ` — ${p.note}` : ''}`;
  return `<span title="${esc(title)}">${esc(p.valueText)}${std}</span>`;
}

function metricsTable(cs: ConfigSummary[], ref: Reference): string {
  // A metric's column when anything has it; its paper and ratio columns when the paper has it for any row.
  const withPaper = (m: MetricCol) => Boolean(m.paper && cs.some((c) => ref.lookup(c, m.paper as string)));
  const present = METRICS.filter((m) => cs.some((c) => c.stat(m.metric)) || withPaper(m)).map((m) => ({ ...m, paper: withPaper(m) ? m.paper : undefined }));
  const head = ['d', 'estimator', 'net (w, L, B)', 'seeds', 'status'];
  for (const m of present) {
    head.push(esc(m.head));
    if (m.paper) head.push(`<span class="paper">paper</span>`, 'ours ÷ paper');
  }
  const sorted = [...cs].sort((a, b) => a.dim - b.dim || a.label.localeCompare(b.label) || (a.width ?? 0) - (b.width ?? 0) || (a.depth ?? 0) - (b.depth ?? 0) || (a.block ?? 0) - (b.block ?? 0));
  const rows = sorted.map((c) => {
    const ran = FINISHED.has(c.status);
    const total = c.rows.length;
    const statusText = Object.entries(c.statuses).map(([k, n]) => `${k}${total > 1 ? ` ×${n}` : ''}`).join(', ');
    const statusCell = c.status === 'ok' && !Object.keys(c.statuses).some((k) => k !== 'ok')
      ? 'ok'
      : `<span class="fail" title="${esc(c.messages.join(' | '))}">${esc(statusText.toUpperCase())}</span>`;
    const cells = [String(c.dim), esc(c.label), `${c.width ?? ''}, ${c.depth ?? ''}, ${c.block ?? 1}`, `${c.statuses.ok ?? 0}/${total}`, statusCell];
    for (const m of present) {
      const st = c.stat(m.metric);
      cells.push(st ? `${fmt(st.mean, m.kind)}${st.n > 1 ? ` ± ${fmt(st.std, m.kind)}` : ''}` : ran ? '' : `<span class="fail">${esc(c.status.toUpperCase())}</span>`);
      if (m.paper) {
        const p = ref.lookup(c, m.paper);
        cells.push(paperCell(p));
        cells.push(st && p?.value ? fmt(st.mean / p.value, 'ratio') : '');
      }
    }
    return cells;
  });
  return table(head, rows, 'metrics');
}

function machineSection(m: Record<string, unknown> | undefined): string {
  if (!m) return '<p class="note">No machine.json in this folder.</p>';
  const flat = (v: unknown): string => (v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k}: ${flat(x)}`).join('; ') : String(v));
  const rows = Object.entries(m).filter(([k]) => k !== 'resumes').map(([k, v]) => [esc(k), `<span>${esc(flat(v))}</span>`]);
  const resumes = Array.isArray(m.resumes) && m.resumes.length ? `<p class="note">Resumed ${m.resumes.length}× (${esc(m.resumes.map((r) => flat(r)).join(' | '))}).</p>` : '';
  return table(['', 'value'], rows.map(([k, v]) => [k, v]), 'machine') + resumes;
}

/** The paper's tables as it prints them: per metric, one row per method, one column per d. */
function paperSection(tables: string[], ref: Reference): string {
  if (!tables.length) return '<p class="note">This run names no paper table.</p>';
  return tables
    .map((t) => {
      const rows = ref.forTable(t);
      const metrics = [...new Set(rows.map((r) => r.paper_metric))];
      const blocks = metrics.map((metric) => {
        const rs = rows.filter((r) => r.paper_metric === metric);
        const dims = [...new Set(rs.map((r) => r.dim))].sort((a, b) => a - b);
        const methods = [...new Set(rs.map((r) => `${r.paper_pde}\t${r.paper_method}\t${r.paper_variant}`))];
        const body = methods.map((m) => {
          const [pde, method, variant] = m.split('\t');
          const mine = rs.filter((r) => r.paper_pde === pde && r.paper_method === method && r.paper_variant === variant);
          const ours = [...new Set(mine.filter((r) => r.estimator).map((r) => estimatorLabel(r)))];
          return [
            `<span class="l">${esc(pde)}</span>`, esc(method), esc(variant),
            ...dims.map((d) => {
              const v = mine.find((r) => r.dim === d);
              if (!v) return '';
              const cell = v.status === 'ok' ? `${esc(v.valueText)}${v.stdText ? ` ± ${esc(v.stdText)}` : ''}` : `<span class="fail">${esc(v.status.toUpperCase())}</span>`;
              return v.note ? `<span title="${esc(v.note)}">${cell}</span>` : cell;
            }),
            esc(ours.join(', ') || '—'),
          ];
        });
        return `<h4>${esc(metric)}</h4>${table(['PDE', 'method', 'variant', ...dims.map((d) => `d = ${d}`), 'ours'], body, 'paper')}`;
      });
      const notes = [...new Set(rows.flatMap((r) => r.note.split(' | ').filter(Boolean)))];
      return `<h3>${esc(t)}</h3>${blocks.join('')}<ul class="note">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`;
    })
    .join('');
}

function cellsSection(run: LoadedRun): string {
  const cols = COLUMNS.filter((c) => c !== 'cell');
  return `<details><summary>${run.rows.length} cells (every row of results.csv)</summary>${table(
    ['cell', ...cols],
    run.rows.map((r) => [esc(r.cell), ...cols.map((c) => (c === 'status' && r.status !== 'ok' ? `<span class="fail">${esc(r.status)}</span>` : esc(r[c] ?? '')))]),
    'cells',
  )}</details>`;
}

const cannotWrite = (what: string) => new UsageError(`cannot write the report: ${what}`);

/** 'folder', 'file', or undefined where nothing is (or a parent is not a folder: that parent's own check says so). */
function kindAt(path: string): 'folder' | 'file' | undefined {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw cannotWrite(`${path} (${code ?? (e as Error).message})`);
  }
}

/**
 * Refuses, before anything is written, a report that could not be written whole: a file where one of
 * its folders goes (outermost first), a folder where one of its files goes, a folder that takes no new file.
 */
function checkWritable(folders: string[], files: string[]): void {
  for (const f of folders) {
    const kind = kindAt(f);
    if (kind === 'file') throw cannotWrite(`${f} is a file, not a folder`);
    // New files go into the folder, or into its parent when the folder is yet to be made.
    const into = kind === 'folder' ? f : dirname(f);
    if (kindAt(into) !== 'folder') continue;
    try {
      accessSync(into, constants.W_OK);
    } catch {
      throw cannotWrite(`${into} is not writable`);
    }
  }
  for (const f of files) if (kindAt(f) === 'folder') throw cannotWrite(`${f} is a folder, not a file`);
}

/**
 * Writes every file under a temporary name first and renames them into place only once all are
 * written: a write that fails midway (a full disk) leaves the previous report as it was.
 */
function writeAll(folders: string[], files: [string, string | Buffer][]): void {
  const tmp = (path: string) => `${path}.${process.pid}.tmp`;
  const written: string[] = [];
  try {
    for (const f of folders) mkdirSync(f, { recursive: true });
    for (const [path, data] of files) {
      writeFileSync(tmp(path), data);
      written.push(tmp(path));
    }
  } catch (e) {
    for (const t of written) rmSync(t, { force: true });
    throw cannotWrite((e as Error).message.split('\n')[0]);
  }
  for (const [path] of files) renameSync(tmp(path), path);
}

export async function buildReport(dir: string, ref: Reference = loadReference()): Promise<ReportResult> {
  const run = readResultsFolder(dir);
  const outDir = join(dir, 'report');
  const chartDir = join(outDir, 'charts');
  const index = join(outDir, 'index.html');
  const configs = aggregate(run.rows);
  const pdes = [...new Set(configs.map((c) => c.pde))];
  const matrix = run.run?.matrix;
  const statusCounts = new Map<string, number>();
  for (const r of run.rows) statusCounts.set(String(r.status), (statusCounts.get(String(r.status)) ?? 0) + 1);

  // Every chart's spec first (it reads the samples files, which may be refused), so that the paths are
  // known and checked before the slow rendering, and nothing is written until all of it is ready.
  const specs = pdes.map((pde) => {
    const cs = configs.filter((c) => c.pde === pde);
    return { pde, cs, charts: chartsFor(pde, cs, run).map((ch) => ({ ...ch, file: `${slugify(ch.name)}.png` })) };
  });
  checkWritable([outDir, chartDir], [index, ...specs.flatMap((p) => p.charts.map((ch) => join(chartDir, ch.file)))]);

  const charts: string[] = [];
  const pngs: [string, Buffer][] = [];
  const sections: string[] = [];
  for (const { pde, cs, charts: chs } of specs) {
    const figs: string[] = [];
    for (const ch of chs) {
      const svg = await renderSvg(ch.spec);
      pngs.push([join(chartDir, ch.file), pngOf(svg)]);
      charts.push(ch.name);
      figs.push(`<figure class="chart" data-chart="${esc(ch.kind)}" data-pde="${esc(pde)}" id="chart-${slugify(ch.name)}">${svg}<figcaption>${esc(ch.caption)} <a href="charts/${esc(ch.file)}">PNG</a></figcaption></figure>`);
    }
    sections.push(
      `<section id="pde-${slugify(pde)}"><h2>${esc(pde)}</h2><div class="charts">${figs.join('')}</div>` +
        `<h3>Every metric per d × estimator</h3>${metricsTable(cs, ref)}</section>`,
    );
  }

  const probes = [...new Set(run.rows.map((r) => r.memory_probe).filter(Boolean))];
  const rssProbes = [...new Set(run.rows.map((r) => r.rss_probe).filter(Boolean))];
  const tables = matrix?.table ? [matrix.table] : [];
  const title = `stde-bench report — ${matrix?.name ?? dir}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(matrix?.description ?? '')}</p>
<p>Backend <b>${esc(run.run?.backend ?? run.rows[0]?.backend ?? '')}</b> · ${run.rows.length} cells (${[...statusCounts].map(([s, n]) => `${n} ${esc(s)}`).join(', ')}) · per-cell limits: ${esc(run.run?.timeoutS ?? '?')} s, ${esc(run.run?.memoryMb ?? '?')} MB · report generated ${esc(new Date().toISOString())}</p>
<nav>${pdes.map((p) => `<a href="#pde-${slugify(p)}">${esc(p)}</a>`).join('')}<a href="#machine">machine</a><a href="#paper">paper</a><a href="#cells">cells</a></nav>
<p class="note">Speed: steady-state steps per second (warm-up and evaluations excluded). Memory: ${esc(probes.join('; ') || 'no tensor probe')}; resident: ${esc(rssProbes.join('; ') || 'n/a')}. Errors: mean ± std (population) over the seeds that finished; “best” is the minimum over evaluations, which is what the paper reports (D14). The paper's speed and memory were measured on one A100 (JAX): compare them as ratios between methods, not absolutely. Hover a paper value for its source row and notes.</p>
${sections.join('\n')}
<section id="machine"><h2>Machine</h2>${machineSection(run.machine)}</section>
<section id="paper"><h2>The paper's numbers</h2>${paperSection(tables, ref)}</section>
<section id="cells"><h2>Cells</h2>${cellsSection(run)}</section>
</body></html>
`;
  writeAll([outDir, chartDir], [...pngs, [index, html]]);
  return { html, charts };
}
