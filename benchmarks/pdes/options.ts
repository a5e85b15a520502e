/** PDE options shared by several PDEs (the flags `train` accepts besides the common ones). */
import { BALL_SAMPLERS } from '../../sampling/domains.ts';
import type { PdeOption } from './pde.ts';

export const SAMPLER_OPTION: PdeOption = {
  flag: 'sampler',
  description: 'unit-ball radius law: radius-uniform (as published, NOT volume-uniform; D15) or volume-uniform',
  choices: BALL_SAMPLERS,
  default: 'radius-uniform',
};

export const SOURCE_OPTION: PdeOption = {
  flag: 'source',
  description: 'three-body source: exact (default) or published-incorrect (the published code without chain-rule factors; D1)',
  choices: ['exact', 'published-incorrect'],
  default: 'exact',
};

export const POISSON_SOURCE_OPTION: PdeOption = {
  flag: 'source',
  description:
    "Poisson source: exact Δu* (default) or estimated (the published code's: the method's estimator applied to u* with its own independent index set or probes; O4)",
  choices: ['exact', 'estimated'],
  default: 'exact',
};

export const SEMILINEAR_SAMPLER_OPTION: PdeOption = {
  flag: 'sampler',
  description:
    'semilinear residual points: marginal (t ~ U[0, T], x ~ N(0, 2t·I), as published; D9) or brownian-paths (along paths of √2·W from 0, 20 steps of T/20, 20 points a path; pdes.md §4.1, not used in the paper)',
  choices: ['marginal', 'brownian-paths'],
  default: 'marginal',
};

export const PRESET_OPTION: PdeOption = {
  flag: 'preset',
  description: 'semilinear setup: published-tables (100/20 points, lr 1e-3·0.9995^(s/S)) or paper-text (2000/100, 1e-3·0.9995^s); D6, D7',
  choices: ['published-tables', 'paper-text'],
  default: 'published-tables',
};

export const TERMINAL_OPTION: PdeOption = {
  flag: 'terminal',
  description: 'terminal condition: hard-constraint ansatz (default) or a loss on terminal points with weight 20',
  choices: ['ansatz', 'loss'],
  default: 'ansatz',
};
