/** AllenCahnTwobodyG: Δu + u − u³ = f (two-body) with the amortized gPINN term (pdes.md §3, D10). */
import { gpinn } from './gpinn.ts';
import { allenCahn } from './nonlinearity.ts';

export default gpinn({ name: 'allen-cahn-two-body-gpinn', paperId: 'AllenCahnTwobodyG', nonlinearity: allenCahn, operator: 'Δu + u − u³' });
