/** SineGordonTwobodyG: Δu + sin u = f (two-body) with the amortized gPINN term (pdes.md §3, D11). */
import { gpinn } from './gpinn.ts';
import { sineGordon } from './nonlinearity.ts';

export default gpinn({ name: 'sine-gordon-two-body-gpinn', paperId: 'SineGordonTwobodyG', nonlinearity: sineGordon, operator: 'Δu + sin u' });
