/**
 * Wave (pdes.md §6): u_tt − Δu = 0 on the unit ball × [0, 1]; exact u = cosh(t)·Σ_i sinh(x_i);
 * ansatz t²·NN + Σ_i sinh(x_i), which gives both initial conditions u(x, 0) = Σ sinh(x_i) and
 * u_t(x, 0) = 0 exactly. u_tt by nested reverse mode; Δu by the chosen estimator.
 */
import * as tf from '@tensorflow/tfjs';
import * as J from '../../taylor/ops.ts';
import type { PDE, Problem } from './pde.ts';
import { SAMPLER_OPTION } from './options.ts';
import { laplacianMethods, estimateLaplacian } from './methods.ts';
import { INSEPARABLE_DEFAULTS } from './inseparable.ts';
import { sumSinh, time } from './inputs.ts';
import { reversePartials } from '../../operators/reverse.ts';
import { unitBall, type BallSampler } from '../../sampling/domains.ts';
import { evalTarget } from '../../operators/target.ts';

const T = 1;

const cosh = (t: J.Operand) => J.scale(J.add(J.exp(t), J.exp(J.neg(t))), 0.5);

const wave: PDE = {
  name: 'wave',
  paperId: 'Wave',
  summary: 'u_tt − Δu = 0 on the unit ball × [0, 1], exact u = cosh(t)·Σ sinh(x_i), ansatz t²·NN + Σ sinh(x_i) (pdes.md §6)',
  terms: ['laplacian', 'time-derivative'],
  minDim: 1,
  timeDependent: true,
  options: [SAMPLER_OPTION],
  methods: laplacianMethods(true),
  accuracy: true,
  defaults: () => ({ ...INSEPARABLE_DEFAULTS, R: 0 }),
  setup({ d, options }): Problem<{ x: tf.Tensor2D }> {
    const sampler = (options.sampler ?? SAMPLER_OPTION.default) as BallSampler;
    const domain = unitBall(d, sampler, { T });
    return {
      domain,
      ansatz: { name: 't²·NN + Σ sinh(x_i)', scale: (x) => J.square(time(x, d)), shift: (x) => sumSinh(x, d) },
      exact: (x) => J.mul(cosh(time(x, d)), sumSinh(x, d)),
      labels: { sampler },
      sample: (rng, { points }) => ({ x: domain.interior(points, rng.child('points')) }),
      residuals({ x }, c) {
        const est = estimateLaplacian(c, x, d);
        const [utt] = reversePartials((y) => evalTarget(c.target, y), x, [[d, d]]);
        return [{ name: 'pde', weight: 1, r: tf.sub(utt, est.value) }];
      },
    };
  },
};

export default wave;
