/**
 * A memory-bounded form of any index-sampling estimator (what jax.checkpoint does for a scan):
 * the sampled dimensions are split into chunks; the forward pass evaluates each chunk's terms off
 * the tape (engine/untaped.ts), keeping only the [R, N] terms, and the parameter gradient recomputes
 * one chunk at a time under its own tape and accumulates its vector–Jacobian product. Peak memory is
 * one chunk's tape instead of all R; the price is one more evaluation of the terms per step.
 *
 * Nested backprop needs this at d = 1e4 on the 2 GiB WASM heap: tfjs keeps every double-backward
 * of the step on one tape (~260 MB per sampled dimension there). The result is differentiable once
 * (training); differentiating its gradient again is not supported.
 */
import * as tf from '@tensorflow/tfjs';
import type { Estimator, LaplacianRequest } from './estimator.ts';
import { drawIndices } from './input-jets.ts';
import { evalTarget } from './target.ts';
import { trainableVariables } from '../model/mlp.ts';
import { untaped } from '../engine/untaped.ts';
import { blocks } from '../engine/row-blocks.ts';

export function checkpointed(base: Estimator, chunk: number): Estimator {
  if (!base.perIndexTerms) throw new Error(`checkpointed: ${base.name} returns no per-index terms`);
  const per = chunk === 1 ? 'one sampled dimension' : `${chunk} sampled dimensions`;
  return {
    name: `${base.name}-checkpointed`,
    family: base.family,
    summary: `${base.summary}; ${per} at a time, recomputed in the parameter gradient (memory of one chunk)`,
    sampling: 'indices',
    perIndexTerms: base.perIndexTerms,
    laplacian(req) {
      const indices = drawIndices(req);
      const parts = blocks(indices.length, chunk).map(([start, k]) => indices.slice(start, start + k));
      const termsOf = (part: number[]): tf.Tensor2D => {
        const { terms } = base.laplacian({ ...req, indices: part } satisfies LaplacianRequest);
        if (!terms) throw new Error(`checkpointed: ${base.name} returns no per-direction terms`);
        return terms;
      };
      // Gradients flow to the points and every model parameter (a closed-form target has none).
      const { model } = req.target;
      const inputs: tf.Tensor[] = [req.x, ...(typeof model === 'function' ? [] : trainableVariables(model))];
      const run = tf.customGrad((...args: unknown[]) => {
        void args; // the inputs are captured; customGrad only needs them to place the node on the tape
        const value = untaped(() => tf.concat(parts.map((part) => tf.tidy(() => termsOf(part))), 0));
        const gradFunc = (dy: tf.Tensor) =>
          untaped(() => {
            const total = inputs.map((t) => tf.zerosLike(t));
            let row = 0;
            for (const part of parts) {
              const w = tf.slice(dy, [row, 0], [part.length, -1]);
              row += part.length;
              const { value, grads } = tf.engine().gradients(() => tf.sum(tf.mul(termsOf(part), w)), inputs, undefined, true);
              value.dispose();
              grads.forEach((g, k) => {
                if (!g) return;
                const next = tf.add(total[k], g);
                total[k].dispose();
                g.dispose();
                total[k] = next;
              });
              w.dispose();
            }
            return total;
          });
        return { value, gradFunc };
      });
      const terms = run(...inputs) as tf.Tensor2D;
      return { u: evalTarget(req.target, req.x), value: tf.sum(terms, 0), terms, indices };
    },
  };
}
