/** PoissonTwobody: Δu = f, two-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { poisson } from './nonlinearity.ts';

export default inseparable({
  name: 'poisson-two-body',
  paperId: 'PoissonTwobody',
  body: 'two-body',
  nonlinearity: poisson,
  operator: 'Δu',
});
