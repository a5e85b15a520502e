/** AllenCahnTwobody: Δu + u − u³ = f, two-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { allenCahn } from './nonlinearity.ts';

export default inseparable({
  name: 'allen-cahn-two-body',
  paperId: 'AllenCahnTwobody',
  body: 'two-body',
  nonlinearity: allenCahn,
  operator: 'Δu + u − u³',
});
