/**
 * `stde-bench report DIR` → DIR/report/index.html: one self-contained offline page (inline CSS and
 * SVG charts, no script, no network) plus DIR/report/charts/*.png. Per PDE: scaling of speed and
 * memory over d, speed-up over nested backprop, error against steps, and a table of every metric per
 * d × estimator with the paper's value and our ratio to it; then the machine, the paper's numbers for
 * the run's table, and every cell.
 */
import { join } from 'node:path';
import { readResultsFolder } from './load-run.ts';
import { aggregate } from './aggregate.ts';
import { loadReference, type Reference } from './reference.ts';
import { chartsFor } from './pde-charts.ts';
import { chartFigure, pdeSection, reportPage } from './sections.ts';
import { checkWritable, writeAll } from './write-files.ts';
import { pngOf, renderSvg } from './render-chart.ts';
import { slugify } from './html.ts';

export interface ReportResult {
  html: string;
  charts: string[];
}

export async function buildReport(dir: string, ref: Reference = loadReference()): Promise<ReportResult> {
  const run = readResultsFolder(dir);
  const outDir = join(dir, 'report');
  const chartDir = join(outDir, 'charts');
  const index = join(outDir, 'index.html');
  const configs = aggregate(run.rows);
  const pdes = [...new Set(configs.map((c) => c.pde))];

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
      figs.push(chartFigure(ch, svg));
    }
    sections.push(pdeSection(pde, figs, cs, ref));
  }

  const html = reportPage(dir, run, pdes, sections, ref);
  writeAll([outDir, chartDir], [...pngs, [index, html]]);
  return { html, charts };
}
