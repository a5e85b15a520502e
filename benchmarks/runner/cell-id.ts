/**
 * A cell's id: readable, unique within a run, stable across runs (compare matches cells by it) and
 * safe as a file name (DIR/samples/<id>.json).
 */
export interface CellKey {
  pde: string;
  dim: number;
  estimator: string;
  R: number;
  seed: number;
  steps: number;
  backend: string;
  width?: number;
  depth?: number;
  block?: number;
  points?: number;
  variant?: string;
}

export const slug = (s: string): string =>
  s.toLowerCase().replace(/[^a-z0-9.=-]+/g, '-').replace(/^-+|-+$/g, '');

export function cellId(k: CellKey): string {
  const parts = [
    k.pde,
    `d${k.dim}`,
    k.estimator,
    `R${k.R}`,
    `w${k.width ?? 'def'}`,
    `L${k.depth ?? 'def'}`,
    `B${k.block ?? 1}`,
    ...(k.points !== undefined ? [`p${k.points}`] : []),
    `n${k.steps}`,
    k.backend,
    ...(k.variant ? [slug(k.variant)] : []),
    `s${k.seed}`,
  ];
  return parts.join('_');
}

/** The same id without the seed: the cells one table row aggregates over. */
export const configId = (id: string): string => id.replace(/_s\d+$/, '');

/**
 * A cell's slot: its id less what --steps and --seeds override. Ids end in
 * `_n<steps>_<backend>[_<variant>]_s<seed>` and neither backend nor variant slug holds a '_'.
 */
export function slotOf(id: string): { slot: string; steps: number } | undefined {
  const m = /_n(\d+)(_[^_]+(?:_[^_]+)?)_s\d+$/.exec(id);
  return m ? { slot: id.slice(0, m.index) + m[2], steps: Number(m[1]) } : undefined;
}
