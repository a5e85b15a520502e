/**
 * The report page's HTML: per PDE its chart figures and a table of every metric per d × estimator with
 * the paper's value and how ours compares with it; then the machine, the paper's numbers for the run's table,
 * and every cell.
 */
import type { LoadedRun } from './load-run.ts';
import { estimatorLabel, nestedPeer, type ConfigSummary } from './aggregate.ts';
import { samePaperNumber, type Reference, type PaperValue } from './reference.ts';
import type { Chart } from './pde-charts.ts';
import { esc, fmt, slugify, STYLE, table } from './html.ts';
import { COLUMNS } from '../benchmarks/runner/csv-store.ts';
import { PRESETS } from '../benchmarks/presets/index.ts';
import { expandMatrix, type Matrix } from '../benchmarks/runner/matrix.ts';
import { requestOfCell } from '../benchmarks/runner/validate-cells.ts';
import { resolveRun } from '../benchmarks/training/run-config.ts';
import { DEFAULT_BACKEND } from '../engine/backend.ts';

interface MetricCol {
  head: string;
  metric: string;
  kind: 'sci' | 'num' | 'int';
  /** The paper's metric this compares with (reference `metric` column), if any. */
  paper?: string;
  /** The paper's value depends on the network only (the parameter count), not on the estimator or R. */
  ofNetwork?: boolean;
  /**
   * How ours sets against the paper's value: their ratio, where the quantity does not depend on the
   * hardware; each one's speed-up over nested backprop on its own machine, where it does (pdes.md §11:
   * timings on other hardware compare with the A100's only as ratios between methods); or not at all
   * (memory: nvidia-smi's device peak against our tensor peak, different probes).
   */
  against?: 'ratio' | 'speed-up' | 'none';
}

const METRICS: MetricCol[] = [
  { head: 'it/s', metric: 'it_per_s', kind: 'num', paper: 'it_per_s', against: 'speed-up' },
  { head: 'step ms (median)', metric: 'step_ms_median', kind: 'num' },
  { head: 'tensor peak MB', metric: 'peak_tensor_mb', kind: 'num', paper: 'peak_tensor_mb', against: 'none' },
  { head: 'RSS peak MB', metric: 'rss_peak_mb', kind: 'int' },
  { head: 'rel L2 best', metric: 'rel_l2_best', kind: 'sci', paper: 'rel_l2_best', against: 'ratio' },
  { head: 'rel L2 final', metric: 'rel_l2_final', kind: 'sci' },
  { head: 'rel L1 best', metric: 'rel_l1_best', kind: 'sci', paper: 'rel_l1_best', against: 'ratio' },
  { head: 'rel L1 final', metric: 'rel_l1_final', kind: 'sci' },
  { head: 'params', metric: 'params', kind: 'int', paper: 'params', against: 'ratio', ofNetwork: true },
];

const AGAINST_HEAD = { ratio: 'ours ÷ paper', 'speed-up': '× nested: ours / paper', none: '' } as const;

function paperCell(p: PaperValue | undefined): string {
  if (!p) return '';
  if (p.status !== 'ok') return `<span class="fail" title="${esc(p.paper_method)}">${esc(p.status.toUpperCase())}</span>`;
  const std = p.stdText ? ` ± ${esc(p.stdText)}` : '';
  const title = `${p.table}, ${p.paper_method}${p.note ? ` — ${p.note}` : ''}`;
  return `<span title="${esc(title)}">${esc(p.valueText)}${std}</span>`;
}

/** The paper's value for one of our configurations, for a metric of the network alone at any estimator and R. */
const paperValue = (ref: Reference, c: ConfigSummary, m: MetricCol): PaperValue | undefined =>
  m.paper === undefined ? undefined : (ref.lookup(c, m.paper) ?? (m.ofNetwork ? ref.ofNetwork(c, m.paper) : undefined));

export function metricsTable(cs: ConfigSummary[], ref: Reference): string {
  // A metric's column when anything has it; its paper and ratio columns when the paper has it for any row.
  const withPaper = (m: MetricCol) => cs.some((c) => paperValue(ref, c, m));
  const present = METRICS.filter((m) => cs.some((c) => c.stat(m.metric)) || withPaper(m)).map((m) => ({ ...m, paper: withPaper(m) ? m.paper : undefined }));
  const head = ['d', 'estimator', 'net (w, L, B)', 'seeds', 'status'];
  for (const m of present) {
    head.push(esc(m.head));
    if (m.paper) head.push(`<span class="paper">paper</span>`);
    if (m.paper && m.against !== 'none') head.push(AGAINST_HEAD[m.against ?? 'ratio']);
  }
  const sorted = [...cs].sort((a, b) => a.dim - b.dim || a.label.localeCompare(b.label) || (a.width ?? 0) - (b.width ?? 0) || (a.depth ?? 0) - (b.depth ?? 0) || (a.block ?? 0) - (b.block ?? 0));
  const rows = sorted.map((c) => {
    const total = c.rows.length;
    const statusText = Object.entries(c.statuses).map(([k, n]) => `${k}${total > 1 ? ` ×${n}` : ''}`).join(', ');
    const statusCell = c.status === 'ok' && !Object.keys(c.statuses).some((k) => k !== 'ok')
      ? 'ok'
      : `<span class="fail" title="${esc(c.messages.join(' | '))}">${esc(statusText.toUpperCase())}</span>`;
    const cells = [String(c.dim), esc(c.label), `${c.width ?? ''}, ${c.depth ?? ''}, ${c.block ?? 1}`, `${c.statuses.ok ?? 0}/${total}`, statusCell];
    for (const m of present) {
      const st = c.stat(m.metric);
      // No value where no seed ran ok is that failure (a diverged run's errors too, though it timed its steps).
      cells.push(st ? `${fmt(st.mean, m.kind)}${st.n > 1 ? ` ± ${fmt(st.std, m.kind)}` : ''}` : c.status === 'ok' ? '' : `<span class="fail">${esc(c.status.toUpperCase())}</span>`);
      if (m.paper) {
        const p = paperValue(ref, c, m);
        cells.push(paperCell(p));
        if (m.against === 'ratio') cells.push(st && p?.value ? `${fmt(st.mean / p.value, 'ratio')}${m.kind === 'sci' ? setupApart(c, p.table, true) : ''}` : '');
        if (m.against === 'speed-up') cells.push(speedUps(c, cs, ref, m.metric, m.paper));
      }
    }
    return cells;
  });
  return table(head, rows, 'metrics');
}

/** The paper presets that reproduce `table` ('Table 3', or 'Tables 7-9' as a reference row names them). */
function paperPresets(table: string): Matrix[] {
  const [, from, to] = /^Tables? (\d+)(?:[-–](\d+))?$/.exec(table) ?? [];
  const names = from ? Array.from({ length: Number(to ?? from) - Number(from) + 1 }, (_, i) => `Table ${Number(from) + i}`) : [];
  return PRESETS.filter((p) => p.name.startsWith('paper-') && names.includes(p.table ?? ''));
}

/** The steps the paper's numbers of a table come after: those of the preset that reproduces it. */
function paperSteps(table: string): number | undefined {
  const steps = paperPresets(table).flatMap((p) => p.groups.map((g) => g.steps));
  return steps.length ? Math.max(...steps) : undefined;
}

/** The points per step the paper's numbers of a table at one PDE and d came from: what train makes of its preset's cells. */
function paperPoints(table: string, pde: string, dim: number): number | undefined {
  const cells = paperPresets(table).flatMap((p) => expandMatrix(p, p.backend ?? DEFAULT_BACKEND)).filter((c) => c.pde === pde && c.dim === dim);
  const points = new Set(cells.map((c) => resolveRun(requestOfCell(c)).points));
  return points.size === 1 ? [...points][0] : undefined;
}

/**
 * Where ours ran other points per step (speed and errors) or, for an error, other steps than the
 * paper's preset: both counts beside the comparison, ours first.
 */
function setupApart(c: ConfigSummary, table: string, withSteps: boolean): string {
  const counts: [string, number | null, number | undefined][] = [['points', c.points, paperPoints(table, c.pde, c.dim)]];
  if (withSteps) counts.push(['steps', c.steps, paperSteps(table)]);
  const apart = counts.filter(([, ours, theirs]) => ours !== null && theirs !== undefined && ours !== theirs);
  if (!apart.length) return '';
  return ` <small class="note">(${apart.map(([what, ours]) => `${ours} ${what}`).join(', ')}; the paper ${apart.map(([, , theirs]) => theirs).join(', ')})</small>`;
}

/**
 * A configuration's speed-up over nested backprop at the same d and network, ours and the paper's,
 * each over its own nested run (the paper's at our nested's R where it has one, else its nested
 * baseline at the smallest R it ran: never another framework's stand-in, whose OOM-free number would
 * make the speed-up of a method the paper's nested could not run; the cell's title says which): ''
 * for nested itself, '—' where a side lacks one.
 */
function speedUps(c: ConfigSummary, cs: ConfigSummary[], ref: Reference, metric: string, paperMetric: string): string {
  if (c.estimator === 'nested') return '';
  const peer = nestedPeer(c, cs);
  const mine = c.stat(metric)?.mean;
  const theirs = peer?.stat(metric)?.mean;
  const ours = mine && theirs ? mine / theirs : null;
  const p = ref.lookup(c, paperMetric);
  const q = ref.lookup({ ...c, estimator: 'nested', R: peer?.R ?? c.R }, paperMetric) ?? ref.atAnyR(c, 'nested', paperMetric).find((r) => r.match === 'primary');
  // The paper's counterpart of a form it did not run (nested-checkpointed: its scan SDGD) may be that nested run itself.
  const itself = p !== undefined && q !== undefined && samePaperNumber(p, q);
  const paper = !itself && p?.status === 'ok' && q?.status === 'ok' && p.value && q.value ? p.value / q.value : null;
  const standIn = p && p.match !== 'primary' ? ` (${p.paper_method} stands in for ${c.estimator}${itself ? ', and is the nested run itself' : ''})` : '';
  const title = `ours over nested R=${peer?.R ?? '—'}; the paper's over ${q ? `${q.paper_method}, R=${q.R}` : '—'}${standIn}`;
  const apart = ours !== null && paper !== null && p ? setupApart(c, p.table, false) : '';
  return `<span title="${esc(title)}">${ours === null ? '—' : fmt(ours, 'ratio')} / ${paper === null ? '—' : fmt(paper, 'ratio')}</span>${apart}`;
}

function machineSection(m: Record<string, unknown> | undefined): string {
  if (!m) return '<p class="note">No machine.json in this folder.</p>';
  const flat = (v: unknown): string => (v === null ? '—' : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => `${k}: ${flat(x)}`).join('; ') : String(v));
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

/** One chart as a figure: its inline SVG, caption and a link to its PNG (under charts/). */
export function chartFigure(ch: Chart & { file: string }, svg: string): string {
  return `<figure class="chart" data-chart="${esc(ch.kind)}" data-pde="${esc(ch.pde)}" id="chart-${slugify(ch.name)}">${svg}<figcaption>${esc(ch.caption)} <a href="charts/${esc(ch.file)}">PNG</a></figcaption></figure>`;
}

/** A PDE's section: its chart figures, then every metric per d × estimator. */
export function pdeSection(pde: string, figures: string[], cs: ConfigSummary[], ref: Reference): string {
  return (
    `<section id="pde-${slugify(pde)}"><h2>${esc(pde)}</h2><div class="charts">${figures.join('')}</div>` +
    `<h3>Every metric per d × estimator</h3>${metricsTable(cs, ref)}</section>`
  );
}

/** The run's per-cell limits, with those a group of its matrix set for itself (the checkpointed SDGDs' 600 s). */
function limits(run: LoadedRun): string {
  const groups = run.run?.matrix?.groups ?? [];
  const own = (key: 'timeoutS' | 'memoryMb', unit: string) =>
    groups.filter((g) => g[key] !== undefined && g[key] !== run.run?.[key]).map((g) => `${g[key]} ${unit} for ${g.estimators.join(', ')}`);
  const part = (key: 'timeoutS' | 'memoryMb', unit: string) => {
    const also = own(key, unit);
    return `${run.run?.[key] ?? '?'} ${unit}${also.length ? ` (${also.join('; ')})` : ''}`;
  };
  return `${part('timeoutS', 's')}, ${part('memoryMb', 'MB')}`;
}

/** The whole page: title and run summary, the PDE sections (in `pdes` order), machine, paper, cells. */
export function reportPage(dir: string, run: LoadedRun, pdes: string[], pdeSections: string[], ref: Reference): string {
  const matrix = run.run?.matrix;
  const statusCounts = new Map<string, number>();
  for (const r of run.rows) statusCounts.set(String(r.status), (statusCounts.get(String(r.status)) ?? 0) + 1);
  const probes = [...new Set(run.rows.map((r) => r.memory_probe).filter(Boolean))];
  const rssProbes = [...new Set(run.rows.map((r) => r.rss_probe).filter(Boolean))];
  const tables = matrix?.table ? [matrix.table] : [];
  const title = `stde-bench report — ${matrix?.name ?? dir}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
<p>${esc(matrix?.description ?? '')}</p>
<p>Backend <b>${esc(run.run?.backend ?? run.rows[0]?.backend ?? '')}</b> · ${run.rows.length} cells (${[...statusCounts].map(([s, n]) => `${n} ${esc(s)}`).join(', ')}) · per-cell limits: ${esc(limits(run))} · report generated ${esc(new Date().toISOString())}</p>
<nav>${pdes.map((p) => `<a href="#pde-${slugify(p)}">${esc(p)}</a>`).join('')}<a href="#machine">machine</a><a href="#paper">paper</a><a href="#cells">cells</a></nav>
<p class="note">Speed: steady-state steps per second (warm-up and evaluations excluded). Memory: ${esc(probes.join('; ') || 'no tensor probe')}; resident: ${esc(rssProbes.join('; ') || 'n/a')}. Errors: mean ± std (population) over the seeds that ended ok; “best” is the minimum over evaluations, which is what the paper reports (D14). The paper's speed and memory were measured on one A100 (JAX): compare them as ratios between methods, not absolutely. Hover a paper value for its source row and notes.</p>
${pdeSections.join('\n')}
<section id="machine"><h2>Machine</h2>${machineSection(run.machine)}</section>
<section id="paper"><h2>The paper's numbers</h2>${paperSection(tables, ref)}</section>
<section id="cells"><h2>Cells</h2>${cellsSection(run)}</section>
</body></html>
`;
}
