/** `stde-bench list`: the PDEs, estimators and backends of the suite (as text, or --json). */
import type { Command } from 'commander';
import { PDES } from '../../benchmarks/pdes/registry.ts';
import { DATA_FIT } from '../../benchmarks/pdes/methods.ts';
import { ESTIMATORS } from '../../operators/registry.ts';
import { PARTIAL_ESTIMATORS } from '../../operators/partial-estimators.ts';
import { BIHARMONIC_ESTIMATORS } from '../../operators/biharmonic.ts';
import { SECOND_ORDER_ESTIMATORS } from '../../operators/second-order.ts';
import { BACKENDS, DEFAULT_BACKEND } from '../../engine/backend.ts';

const DATA_FIT_SUMMARY = 'data-fit floor: loss = mean((u − u*)²) on the same model and points, no derivatives (PDEs with an exact solution)';

/** Methods that are not registered Laplacian estimators: `none` and the PDE-specific schemes. */
function schemes(): [string, string][] {
  const own = PDES.flatMap((p) => Object.entries(p.schemes ?? {}).map(([name, what]): [string, string] => [name, `${p.name} only: ${what}`]));
  return [[DATA_FIT, DATA_FIT_SUMMARY], ...own];
}

function catalogue() {
  return {
    pdes: PDES.map((p) => ({
      name: p.name,
      paper_id: p.paperId,
      summary: p.summary,
      terms: p.terms,
      dim: p.fixedDim ?? (p.dims ? `∈ {${p.dims.join(', ')}}` : `≥ ${p.minDim}`),
      time_dependent: p.timeDependent,
      accuracy: p.accuracy,
      estimators: p.methods,
      options: p.options.map((o) => ({ flag: `--${o.flag}`, choices: o.choices, default: o.default, description: o.description })),
    })),
    estimators: [
      ...ESTIMATORS.map((e) => ({ name: e.name, family: e.family, sampling: e.sampling, summary: e.summary })),
      ...schemes().map(([name, summary]) => ({ name, family: 'scheme', sampling: 'exact', summary })),
    ],
    /** `stde-bench operator --partial … / --operator biharmonic|second-order --estimator NAME`. */
    operators: {
      partial: PARTIAL_ESTIMATORS.map((e) => ({ name: e.name, summary: e.summary })),
      biharmonic: BIHARMONIC_ESTIMATORS.map((e) => ({ name: e.name, summary: e.summary })),
      'second-order': SECOND_ORDER_ESTIMATORS.map((e) => ({ name: e.name, summary: e.summary })),
    },
    backends: BACKENDS.map((b) => ({ name: b, default: b === DEFAULT_BACKEND })),
  };
}

export function register(program: Command): void {
  program
    .command('list')
    .description('list PDEs, estimators and backends')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const c = catalogue();
      if (o.json) {
        process.stdout.write(JSON.stringify(c) + '\n');
        return;
      }
      const lines = ['PDEs (stde-bench train --pde NAME):'];
      for (const p of c.pdes) {
        lines.push(`  ${p.name.padEnd(26)} ${p.paper_id.padEnd(20)} d ${String(p.dim).padEnd(5)} ${p.summary}`);
        lines.push(`  ${''.padEnd(26)} needs: ${p.terms.join(', ')}; estimators: ${p.estimators.join(', ')}`);
        for (const o of p.options) lines.push(`  ${''.padEnd(26)} ${o.flag} ${o.choices.join('|')} (default ${o.default})`);
      }
      lines.push('', 'Estimators (--estimator NAME):');
      for (const e of c.estimators) lines.push(`  ${e.name.padEnd(22)} ${e.family.padEnd(9)} ${e.sampling.padEnd(8)} ${e.summary}`);
      lines.push('', 'Partial derivatives (operator --partial SPEC --estimator NAME):');
      for (const e of c.operators.partial) lines.push(`  ${e.name.padEnd(22)} ${e.summary}`);
      lines.push('', 'Biharmonic (operator --operator biharmonic --estimator NAME):');
      for (const e of c.operators.biharmonic) lines.push(`  ${e.name.padEnd(22)} ${e.summary}`);
      lines.push('', 'General second-order Σ C_ij ∂²u/∂x_i∂x_j (operator --operator second-order --coefficients C.json --estimator NAME):');
      for (const e of c.operators['second-order']) lines.push(`  ${e.name.padEnd(22)} ${e.summary}`);
      lines.push('', `Backends (--backend NAME): ${c.backends.map((b) => (b.default ? `${b.name} (default)` : b.name)).join(', ')}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
