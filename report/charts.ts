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

function failedLayer(failed: FailedPoint[]) {
  return {
    data: { values: failed.map((f) => ({ ...f, label: f.status.toUpperCase() })) },
    mark: { type: 'text', fontWeight: 'bold', fontSize: 10, dy: 0 },
    encoding: {
      x: { field: 'dim', type: 'quantitative', scale: { type: 'log' }, axis: DIM_AXIS },
      y: { value: 8 },
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
    layers.push({
      data: { values: points },
      mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 1.8 },
      encoding: {
        x: { field: 'dim', type: 'quantitative', scale: { type: 'log' }, axis: DIM_AXIS },
        y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle },
        color: { field: 'series', type: 'nominal', title: 'estimator' },
        ...(dashes ? { strokeDash: { field: 'kind', type: 'nominal', title: dashes.title, scale: { domain: dashes.kinds, range: [[1, 0], [4, 2]] } }, detail: { field: 'kind' } } : {}),
        tooltip: [{ field: 'series' }, { field: 'dim' }, { field: 'value', format: '.4~g' }],
      },
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
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: yTitle },
      color: { field: 'series', type: 'nominal', title: 'estimator' },
      tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'value', format: '.3~e' }],
    },
  } as TopLevelSpec;
}
