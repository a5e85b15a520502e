/**
 * The memory a training run cannot do without, known before anything is allocated: the weights,
 * their gradient and Adam's two moments (4 × 4 bytes per parameter) and one batch of inputs. It is
 * a lower bound — the step's activations, jets and temporaries come on top — so a run it refuses
 * is impossible, never merely tight. On wasm the bound is checked against the 2 GiB heap that
 * tfjs-backend-wasm handles correctly (engine/wasm-heap.ts); e.g. d = 10⁶ with a full first layer
 * (128 M parameters) needs 2 GB for parameter state alone.
 */
import { parameterCount, featureDim } from '../../model/mlp.ts';
import type { RunConfig } from './run-config.ts';
import { WASM_USABLE_HEAP_BYTES } from '../../engine/wasm-heap.ts';
import { UsageError } from '../../engine/errors.ts';

export interface MemoryPlan {
  parameters: number;
  /** Weights, gradient, Adam m and v. */
  parameterStateBytes: number;
  /** Residual and boundary points of one step, [n, d + extra] float32. */
  inputBytes: number;
  lowerBoundBytes: number;
}

export function planMemory(cfg: RunConfig): MemoryPlan {
  const parameters = parameterCount(cfg.model);
  const width = cfg.model.dim + cfg.model.extraInputs;
  const parameterStateBytes = 4 * 4 * parameters;
  const inputBytes = 4 * (cfg.points + cfg.boundaryPoints) * width;
  return { parameters, parameterStateBytes, inputBytes, lowerBoundBytes: parameterStateBytes + inputBytes };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Refuse (exit 2) a run that cannot fit the backend's memory, before the engine starts. */
export function assertFits(cfg: RunConfig, backend: string): MemoryPlan {
  const plan = planMemory(cfg);
  if (backend === 'wasm' && plan.lowerBoundBytes > WASM_USABLE_HEAP_BYTES) {
    const sharing = cfg.model.block === 1 && featureDim(cfg.model) > 10_000 ? 'weight sharing (--block), ' : '';
    throw new UsageError(
      `impossible memory: d = ${cfg.d} needs at least ${gib(plan.lowerBoundBytes)} (${plan.parameters} parameters × 16 B for weights, gradient and Adam state + ${gib(plan.inputBytes)} of input points) but the wasm heap holds ${gib(WASM_USABLE_HEAP_BYTES)}; use ${sharing}fewer --points or --backend webgpu`,
    );
  }
  return plan;
}
