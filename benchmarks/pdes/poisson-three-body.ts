/** PoissonThreebody: Δu = f, three-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { poisson } from './nonlinearity.ts';

export default inseparable({
  name: 'poisson-three-body',
  paperId: 'PoissonThreebody',
  body: 'three-body',
  nonlinearity: poisson,
  operator: 'Δu',
});
