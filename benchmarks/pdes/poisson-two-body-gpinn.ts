/** PoissonTwobodyG: Δu = f (two-body) with the amortized gPINN term (pdes.md §3, D12; not reported in the paper). */
import { gpinn } from './gpinn.ts';
import { poisson } from './nonlinearity.ts';

export default gpinn({ name: 'poisson-two-body-gpinn', paperId: 'PoissonTwobodyG', nonlinearity: poisson, operator: 'Δu' });
