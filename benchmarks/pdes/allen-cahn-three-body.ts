/** AllenCahnThreebody: Δu + u − u³ = f, three-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { allenCahn } from './nonlinearity.ts';

export default inseparable({
  name: 'allen-cahn-three-body',
  paperId: 'AllenCahnThreebody',
  body: 'three-body',
  nonlinearity: allenCahn,
  operator: 'Δu + u − u³',
});
