/**
 * The memory a training run cannot do without, known before anything is allocated: the weights,
 * their gradient and Adam's two moments (4 × 4 bytes per parameter) and one batch of inputs. It is
 * a lower bound — the step's activations, jets and temporaries come on top — so a run it refuses
 * is impossible, never merely tight. On wasm the bound is checked against what the heap guard lets
 * allocations reach: the 2 GiB that tfjs-backend-wasm handles correctly, less its growth slack
 * (engine/wasm-heap.ts). A wide first layer (engine/wide-layer.ts, e.g. d = 10⁶ with 128 M weights)
 * keeps its Adam moments in JS memory, so only its weights and gradient (8 B per entry) count against
 * the heap.
 */
import { parameterCount, featureDim } from '../../model/mlp.ts';
import type { RunConfig } from './run-config.ts';
import { allocationLimitText, wasmAllocationLimitBytes } from '../../engine/wasm-heap.ts';
import { wideOn } from '../../engine/wide-layer.ts';
import { totalmem } from 'node:os';
import { UsageError } from '../../engine/errors.ts';
import { storageBindingBytes } from '../../engine/webgpu/webgpu.ts';

export interface MemoryPlan {
  parameters: number;
  /** Equal micro-batches each step's points are drawn and differentiated in. */
  microBatches: number;
  /** Weights, gradient, Adam m and v, on the device / WASM heap. */
  parameterStateBytes: number;
  /** Adam moments of a wide first layer, kept in JS memory (wasm only). */
  hostStateBytes: number;
  /** Residual and boundary points of one micro-batch, [n, d + extra] float32. */
  inputBytes: number;
  lowerBoundBytes: number;
  /**
   * Of those, what lives in this process's own memory (the cpu backend's tensors are JS arrays), plus
   * the off-heap Adam moments and the exact values of the test set, which evaluation keeps (4 B a point).
   */
  hostBytes: number;
  /** Of those, the test set's exact values. */
  testSetBytes: number;
}

/**
 * The input batch one micro-batch may hold on the WASM heap when the plan chooses the split. A step
 * needs about 4–5× its input batch of heap (points, source-term and sampler temporaries, tape):
 * measured at d = 5·10⁶, B = 50: 25-point micro-batches (477 MB) grew the heap past 2 GiB, 20-point
 * ones (381 MB) peaked at 1.77 GiB. d = 10⁶ with the full first layer (381 MB) stays one batch.
 */
const MICRO_BATCH_INPUT_BYTES = 400 * 2 ** 20;

/**
 * The most micro-batches the plan chooses by itself. Each costs a pass of a few hundred kernels, so a
 * count beyond this means a step of hours (`--points 1e15` would have run 4·10⁷ of them per step): the
 * points, not the split, are then what the user got wrong. `--micro-batches` still takes any count.
 */
export const MAX_AUTO_MICRO_BATCHES = 1024;

/**
 * Micro-batches per step: the user's count, or the fewest equal ones (dividing the points and the
 * boundary points) whose input stays within MICRO_BATCH_INPUT_BYTES; 1 on other backends. At
 * d = 5·10⁶ the 100 points are 1.86 GiB: five micro-batches of 20. The gradient is the same sum
 * (same index sets for every micro-batch; each micro-batch draws its own points).
 */
export function microBatchesFor(cfg: RunConfig, backend: string): number {
  if (cfg.microBatches > 0) return cfg.microBatches;
  if (backend !== 'wasm') return 1;
  const bytes = 4 * (cfg.points + cfg.boundaryPoints) * (cfg.model.dim + cfg.model.extraInputs);
  return fewestMicroBatches(cfg, (k) => bytes / k <= MICRO_BATCH_INPUT_BYTES) ?? gcd(cfg.points, cfg.boundaryPoints); // else as many as divide both
}

/**
 * The micro-batch counts a run may try, in order: the user's count alone, or the plan's and then each
 * larger count that divides the points and the boundary points (wasm), as long as a micro-batch keeps
 * at least a quarter of the points of the one before: past such a jump (1 → 2000003 for a prime
 * count) the run would crawl, and the user had better choose; nor past MAX_AUTO_MICRO_BATCHES. The plan bounds the input batch only;
 * the step's working memory (activations, jets, tape) is found by trying them (fit-micro-batches.ts).
 */
export function microBatchCounts(cfg: RunConfig, backend: string): number[] {
  const k = microBatchesFor(cfg, backend);
  if (cfg.microBatches > 0 || backend !== 'wasm') return [k];
  const counts = [k];
  for (const j of divisors(gcd(cfg.points, cfg.boundaryPoints))) {
    if (j <= counts[counts.length - 1]) continue;
    if (j > 4 * counts[counts.length - 1] || j > MAX_AUTO_MICRO_BATCHES) break;
    counts.push(j);
  }
  return counts;
}

/** The smallest n in 1…max with ok(n), if any. */
function smallest(max: number, ok: (n: number) => boolean): number | undefined {
  for (let n = 1; n <= max; n++) if (ok(n)) return n;
  return undefined;
}

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** The divisors of n, ascending, by trial division up to √n (a count of points may be up to 2⁵³). */
function divisors(n: number): number[] {
  const low: number[] = [];
  const high: number[] = [];
  for (let k = 1; k * k <= n; k++) {
    if (n % k) continue;
    low.push(k);
    if (k * k !== n) high.push(n / k);
  }
  return [...low, ...high.reverse()];
}

/** The fewest equal micro-batches (dividing the points and the boundary points) with fits(k), if any. */
function fewestMicroBatches(cfg: RunConfig, fits: (k: number) => boolean): number | undefined {
  return divisors(gcd(cfg.points, cfg.boundaryPoints)).find(fits);
}

/** [fan-in, fan-out] of the first layer's weight, with weight-sharing block size `block`. */
function firstWeightShape(model: RunConfig['model'], block = model.block): [number, number] {
  return [featureDim({ ...model, block }), model.depth > 1 ? model.width : 1];
}

export function planMemory(cfg: RunConfig, backend = 'wasm'): MemoryPlan {
  const parameters = parameterCount(cfg.model);
  const width = cfg.model.dim + cfg.model.extraInputs;
  const [fanIn, fanOut] = firstWeightShape(cfg.model);
  const firstWeight = fanIn * fanOut;
  const wide = wideOn(backend, firstWeight) ? firstWeight : 0;
  const parameterStateBytes = 4 * 4 * (parameters - wide) + 4 * 2 * wide;
  const microBatches = microBatchesFor(cfg, backend);
  const inputBytes = (4 * (cfg.points + cfg.boundaryPoints) * width) / microBatches;
  const lowerBoundBytes = parameterStateBytes + inputBytes;
  const hostStateBytes = 4 * 2 * wide;
  const testSetBytes = cfg.pde.accuracy ? 4 * cfg.testPoints : 0;
  const hostBytes = hostStateBytes + testSetBytes + (backend === 'cpu' ? lowerBoundBytes : 0);
  return { parameters, microBatches, parameterStateBytes, hostStateBytes, inputBytes, lowerBoundBytes, hostBytes, testSetBytes };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Refuse (exit 2) a run that cannot fit the backend's memory, before the engine starts. */
export function assertFits(cfg: RunConfig, backend: string, ramBytes = totalmem()): MemoryPlan {
  const plan = planMemory(cfg, backend);
  // What to shrink: the parameters' state when it alone is too large, else the points.
  const remedy = (limit: number) => {
    const sharing = cfg.model.block === 1 && featureDim(cfg.model) > 10_000 ? 'weight sharing (--block), ' : '';
    return plan.parameterStateBytes > limit ? `use ${sharing}a smaller --width or --depth` : `use more --micro-batches or fewer --points`;
  };
  const heapBytes = wasmAllocationLimitBytes();
  if (cfg.microBatches === 0 && plan.microBatches > MAX_AUTO_MICRO_BATCHES) {
    const inputBytes = plan.inputBytes * plan.microBatches;
    throw new UsageError(
      `${cfg.points} points${cfg.boundaryPoints ? ` and ${cfg.boundaryPoints} boundary points` : ''} at d = ${cfg.d} are ${gib(inputBytes)} of input per step: ${plan.microBatches} micro-batches of at most ${gib(MICRO_BATCH_INPUT_BYTES)} on the WASM heap, more than the ${MAX_AUTO_MICRO_BATCHES} the plan takes by itself; use fewer --points, or --micro-batches ${plan.microBatches} to run it anyway`,
    );
  }
  if (backend === 'wasm' && plan.lowerBoundBytes > heapBytes) {
    const offHeap = plan.hostStateBytes ? `, Adam moments of the first layer off the heap` : '';
    throw new UsageError(
      `impossible memory: d = ${cfg.d} needs at least ${gib(plan.lowerBoundBytes)} on the WASM heap (${gib(plan.parameterStateBytes)} for the state of ${plan.parameters} parameters${offHeap} + ${gib(plan.inputBytes)} of input points${plan.microBatches > 1 ? ` per micro-batch of ${cfg.points / plan.microBatches}` : ''}), past the ${allocationLimitText()}; ${remedy(heapBytes)} or --backend webgpu`,
    );
  }
  if (plan.hostBytes > ramBytes) {
    const testSet = plan.testSetBytes;
    const parts = (
      [
        [backend === 'cpu' ? plan.lowerBoundBytes : 0, 'of parameter state and points (cpu tensors live there)'],
        [plan.hostStateBytes, 'of Adam moments'],
        [testSet, `for the exact values of ${cfg.testPoints} test points`],
      ] as const
    )
      .filter(([bytes]) => bytes > plan.hostBytes / 100)
      .map(([bytes, what]) => `${gib(bytes)} ${what}`);
    const fix = testSet > ramBytes / 2 ? 'use fewer --test-points' : remedy(ramBytes);
    throw new UsageError(`impossible memory: this run needs at least ${gib(plan.hostBytes)} of this machine's memory (${parts.join(' + ')}) but it has ${gib(ramBytes)}; ${fix}`);
  }
  return plan;
}

/** One buffer a step holds whole: its shape and what would make it smaller. */
export interface WholeBuffer {
  what: string;
  shape: number[];
  bytes: number;
  remedy: string;
}

/**
 * The buffers a step holds whole whatever the backend: one micro-batch of points (or of boundary
 * points, where that batch is the larger) and the first layer's weight (its gradient and Adam
 * moments share its shape), each with the smallest change that brings it within `limitBytes`: more
 * micro-batches, else fewer of the points that are too many. Sources, samplers and the test set go
 * in row blocks sized to the device (engine/row-blocks.ts).
 */
function wholeBuffers(cfg: RunConfig, backend: string, limitBytes: number): WholeBuffer[] {
  const { dim, extraInputs } = cfg.model;
  const batch = Math.max(cfg.points, cfg.boundaryPoints);
  const pointBytes = (k: number) => (4 * batch * (dim + extraInputs)) / k;
  const k = microBatchesFor(cfg, backend);
  const splits = fewestMicroBatches(cfg, (j) => pointBytes(j) <= limitBytes);
  const fewer = Math.floor(limitBytes / (4 * (dim + extraInputs)));
  const tooMany = ([['--points', cfg.points], ['--boundary-points', cfg.boundaryPoints]] as const).filter(([, n]) => n > fewer).map(([flag]) => `${flag} ${fewer}`);
  const weightBytes = (block: number) => 4 * firstWeightShape(cfg.model, block).reduce((a, b) => a * b);
  const block = smallest(dim, (b) => dim % b === 0 && weightBytes(b) <= limitBytes);
  return [
    {
      what: k > 1 ? 'a micro-batch of points' : 'the points',
      shape: [batch / k, dim + extraInputs],
      bytes: pointBytes(k),
      remedy: !fewer ? 'fewer dimensions (one point alone is larger)' : splits ? `--micro-batches ${splits}` : `${tooMany.join(' and ')} or fewer`,
    },
    {
      what: "the first layer's weight",
      shape: firstWeightShape(cfg.model),
      bytes: weightBytes(cfg.model.block),
      remedy: block ? `weight sharing, --block ${block} or more` : 'fewer dimensions',
    },
  ];
}

/**
 * What to change when a step ran out of memory after the plan let it start: the plan's bound leaves
 * out the step's working memory (activations, jets, tape), which grows with the points of a
 * micro-batch, the width and the estimator's jets. Names the next micro-batch counts that divide both
 * point counts.
 */
export function outOfMemoryRemedy(cfg: RunConfig, backend: string, k = microBatchesFor(cfg, backend)): string {
  const more = divisors(gcd(cfg.points, cfg.boundaryPoints)).filter((j) => j > k).slice(0, 3);
  const split = more.length
    ? `more --micro-batches (this run: ${k} of ${cfg.points / k} points${cfg.boundaryPoints ? ` and ${cfg.boundaryPoints / k} boundary points` : ''} each; ${more.join(', ')}${more.length === 3 ? ', …' : ''} divide ${cfg.boundaryPoints ? 'both counts' : 'the points'}), `
    : '';
  return `use ${split}fewer --points, a smaller --width${backend === 'webgpu' ? '' : ' or --backend webgpu'}`;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

/**
 * Refuse (exit 2) a run whose points or first-layer weight exceed one storage binding of the device:
 * a webgpu shader binds whole tensors (lavapipe: 128 MiB each). Runs after the engine starts, when
 * the adapter's limit is known; without such a limit (other backends) it passes.
 */
export function assertFitsDevice(cfg: RunConfig, backend: string, { bindingBytes = storageBindingBytes() } = {}): void {
  if (!bindingBytes) return;
  const over = wholeBuffers(cfg, backend, bindingBytes).filter((b) => b.bytes > bindingBytes);
  if (over.length) {
    throw new UsageError(
      `impossible memory: one buffer on this ${backend} device binds at most ${mib(bindingBytes)}, and this run needs larger ones: ${over.map((b) => `${b.what} [${b.shape.join(', ')}] (${mib(b.bytes)})`).join(', ')}; use ${over.map((b) => b.remedy).join(' and ')}`,
    );
  }
}
