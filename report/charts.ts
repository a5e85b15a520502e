/**
 * The report's vega-lite chart specifications: log–log scaling of speed and memory over d (or bars
 * per network where d is fixed), speed-up over nested backprop, and error against training steps. Cells that did not run (oom,
 * timeout, error) are drawn as labelled markers along the top of the scaling charts.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface SeriesPoint {
  dim: number;
  series: string;
  value: number;
  /** Second grouping, e.g. the memory probe. */
  kind?: string;
}

export interface FailedPoint {
  dim: number;
  series: string;
  status: string;
}

const WIDTH = 360;
const HEIGHT = 240;
const DIM_AXIS = { title: 'dimension d', format: '~s', grid: true };

function base(title: string): Partial<TopLevelSpec> {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, anchor: 'start', fontSize: 13 },
    width: WIDTH,
    height: HEIGHT,
    background: 'white',
    config: { font: 'DejaVu Sans, Helvetica, Arial, sans-serif', legend: { labelLimit: 260, orient: 'right' } },
  };
}

/** Pixels between the failure labels of one d, stacked from the top so that each keeps its colour. */
const LABEL_STEP = 11;

function failedLayer(failed: FailedPoint[]) {
  const seen = new Map<number, number>();
  const rows = failed.map((f) => {
    const k = seen.get(f.dim) ?? 0;
    seen.set(f.dim, k + 1);
    return { ...f, label: f.status.toUpperCase(), y: 8 + LABEL_STEP * k };
  });
  return {
    data: { values: rows },
    mark: { type: 'text', fontWeight: 'bold', fontSize: 10, dy: 0 },
    encoding: {
      x: { field: 'dim', type: 'quantitative', scale: { type: 'log' }, axis: DIM_AXIS },
      y: { field: 'y', type: 'quantitative', scale: null }, // pixels from the top
      text: { field: 'label' },
      color: { field: 'series', type: 'nominal', title: 'estimator' },
    },
  };
}

/** Lines told apart by their `kind` as well as their series: the first kind solid, the second dashed. */
export interface Dashes {
  title: string;
  kinds: [solid: string, dashed: string];
}

export function scalingChart(title: string, yTitle: string, points: SeriesPoint[], failed: FailedPoint[], dashes?: Dashes): TopLevelSpec {
  const layers: unknown[] = [];
  if (points.length) {
    const x = { field: 'dim', type: 'quantitative', scale: { type: 'log' }, axis: DIM_AXIS };
    const y = { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle };
    const color = { field: 'series', type: 'nominal', title: 'estimator' };
    // Lines and their points are two layers: on a line mark with filled points, vega-lite gives the
    // probe's legend transparent strokes, and its two kinds showed alike.
    layers.push({
      data: { values: points },
      mark: { type: 'line', strokeWidth: 1.8 },
      encoding: {
        x, y, color,
        ...(dashes ? { strokeDash: { field: 'kind', type: 'nominal', title: dashes.title, scale: { domain: dashes.kinds, range: [[1, 0], [4, 2]] }, legend: { symbolType: 'stroke', symbolStrokeColor: '#333', symbolStrokeWidth: 1.8, symbolSize: 400 } }, detail: { field: 'kind' } } : {}),
      },
    });
    layers.push({
      data: { values: points },
      mark: { type: 'point', filled: true, size: 50, opacity: 1 },
      encoding: { x, y, color, tooltip: [{ field: 'series' }, { field: 'dim' }, { field: 'value', format: '.4~g' }, ...(dashes ? [{ field: 'kind', title: dashes.title }] : [])] },
    });
  }
  if (failed.length) layers.push(failedLayer(failed));
  return { ...base(title), layer: layers } as TopLevelSpec;
}

export interface BarPoint {
  /** Category on the x axis (a dimension or a network) and its sort key. */
  x: string;
  order: number;
  series: string;
  value: number;
}

/**
 * Grouped bars on a log axis. With `from1`, bars grow from 1× (up: above the reference, down: below)
 * and a dashed rule marks 1× — the speed-up chart.
 */
export function barChart(title: string, xTitle: string, yTitle: string, points: BarPoint[], from1 = false): TopLevelSpec {
  return {
    ...base(title),
    layer: [
      {
        data: { values: points },
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'x', type: 'ordinal', title: xTitle, sort: { field: 'order' }, axis: { labelAngle: 0 } },
          xOffset: { field: 'series', type: 'nominal' },
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, stack: null, title: yTitle },
          ...(from1 ? { y2: { datum: 1 } } : {}),
          color: { field: 'series', type: 'nominal', title: 'estimator' },
          tooltip: [{ field: 'series' }, { field: 'x' }, { field: 'value', format: '.4~g' }],
        },
      },
      ...(from1 ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { y: { datum: 1, type: 'quantitative' } } }] : []),
    ],
  } as TopLevelSpec;
}

export interface ErrorChartPoint {
  step: number;
  series: string;
  value: number;
}

export function errorChart(title: string, yTitle: string, points: ErrorChartPoint[]): TopLevelSpec {
  return {
    ...base(title),
    data: { values: points },
    mark: { type: 'line', point: { size: 25 }, strokeWidth: 1.6 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step', axis: { format: 'd', tickMinStep: 1 } }, // one evaluation: '300', not '300.000000'
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle },
      color: { field: 'series', type: 'nominal', title: 'estimator' },
      tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'value', format: '.3~e' }],
    },
  } as TopLevelSpec;
}
