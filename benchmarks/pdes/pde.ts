/**
 * What a PDE of the suite is (pdes.md). A `PDE` is the registry entry: its name, the derivative
 * terms it needs, the methods that can train it, its options and default training settings. At a
 * given dimension it builds a `Problem`: domain, ansatz, exact solution or reference, and the
 * residuals whose weighted mean squares are the loss (pdes.md §1.1).
 *
 * The loss of every PDE is Σ_k weight_k · mean(r_k²), so a problem returns its residual parts and
 * the training loop squares them; tests look at the residuals themselves.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../sampling/rng.ts';
import type { Domain } from '../../sampling/domains.ts';
import type { ProbeDist } from '../../sampling/directions.ts';
import type { Ansatz, Target } from '../../operators/target.ts';
import type { Estimator } from '../../operators/estimator.ts';
import type { Jet, Operand } from '../../taylor/ops.ts';
import type { ScheduleSpec } from '../training/schedule.ts';

/** Derivative terms a PDE needs; they decide which methods can train it. */
export type DerivativeTerm =
  | 'laplacian' // Δu over the spatial coordinates, any Laplacian estimator
  | 'hessian-diagonal' // per-index ∂²u/∂x_i² (weighted diagonal), estimators that return terms
  | 'gradient' // ∇u by reverse mode
  | 'time-derivative' // u_t (u_tt) by reverse mode
  | 'gpinn' // ∂_j u, ∂²_ii u, ∂³_iij u on paired index sets (pdes.md §3)
  | 'high-order'; // fixed mixed partials up to order 4 in 2–3 variables (pdes.md §5)

/** A PDE-specific command-line option (e.g. --source, --preset). */
export interface PdeOption {
  /** Long flag without the dashes. */
  flag: string;
  description: string;
  choices: readonly string[];
  default: string;
}

export interface TrainDefaults {
  width: number;
  depth: number;
  /** Residual points per step. */
  points: number;
  /** Boundary or terminal points per step (0: none, e.g. the ansatz enforces the boundary). */
  boundaryPoints: number;
  steps: number;
  R: number;
  evalEvery: number;
  testPoints: number;
  schedule: ScheduleSpec;
}

/** How the derivative terms are computed: a registered Laplacian estimator or a PDE-specific scheme. */
export interface Method {
  name: string;
  /** Present for Laplacian estimators from operators/registry.ts. */
  estimator?: Estimator;
}

export interface LossContext {
  target: Target;
  method: Method;
  R: number;
  dist: ProbeDist;
  /** This step's stream for index sets and probes (independent of the points' stream). */
  rng: Rng;
}

export interface ResidualPart {
  name: string;
  weight: number;
  /** Any shape; the loss adds weight · mean(r²). */
  r: tf.Tensor;
  /**
   * The part is a regularizer over the draw's own terms, not an estimate of one residual per point
   * (the gPINN pairs, D10: pair k of one draw has no counterpart in another), so the unbiased loss
   * keeps its square rather than pairing two draws.
   */
  keepSquare?: boolean;
}

export interface PointReference {
  /** The input (x, t) where the reference applies. */
  point: number[];
  value: number;
  /** The network solves for outputScale·u (published SineGordonTime: U = d·u); compare u_θ/outputScale. */
  outputScale: number;
}

export interface Problem<D = unknown> {
  domain: Domain;
  ansatz?: Ansatz;
  /** Closed-form exact solution, in the jet algebra (plain tensors in, a constant jet out). */
  exact?: (x: Operand) => Jet;
  /** A reference solution without closed form (e.g. Monte Carlo), for evaluation only. */
  reference?: (x: tf.Tensor2D) => tf.Tensor1D;
  /** A reference value at one point (semilinear PDEs). */
  pointReference?: PointReference;
  /** Labels every result of this problem must carry (source variant, sampler, preset). */
  labels: Record<string, string>;
  /** This step's points and everything that does not depend on the parameters (outside the tape). */
  sample(rng: Rng, sizes: { points: number; boundaryPoints: number }): D;
  residuals(data: D, ctx: LossContext): ResidualPart[];
  dispose?(): void;
}

export interface SetupContext {
  d: number;
  options: Record<string, string>;
  /** Stream of the PDE's random coefficients (derived from the experiment seed, D16). */
  coefficients: Rng;
  /** The method that will train it (some results carry a method-specific label). */
  method: string;
}

export interface PDE {
  /** Command-line name, e.g. 'allen-cahn-two-body'. */
  name: string;
  /** Identifier of pdes.md and paper-results.csv, e.g. 'AllenCahnTwobody'. */
  paperId: string;
  summary: string;
  terms: DerivativeTerm[];
  /** Spatial dimension when the PDE has only one (kdv-2d: 2). */
  fixedDim?: number;
  /** Smallest spatial dimension the PDE is defined for. */
  minDim: number;
  /** The only spatial dimensions it takes, where there are several (semilinear: those with a published reference). */
  dims?: readonly number[];
  timeDependent: boolean;
  options: PdeOption[];
  /** Methods that can train it ('none' where an exact solution exists). */
  methods: string[];
  /** Methods of its own that are not registered Laplacian estimators, with what they do (for `list`). */
  schemes?: Record<string, string>;
  /** Accuracy is measured (false for the speed-only high-order PDEs). */
  accuracy: boolean;
  defaults(d: number, options: Record<string, string>): TrainDefaults;
  /** PDE-specific checks of a run's settings; throws UsageError (e.g. gPINN needs R > 0). */
  validate?(run: { d: number; R: number; method: string }): void;
  setup(ctx: SetupContext): Problem;
}
