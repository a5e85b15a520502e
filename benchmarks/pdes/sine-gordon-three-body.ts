/** SineGordonThreebody: Δu + sin u = f, three-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { sineGordon } from './nonlinearity.ts';

export default inseparable({
  name: 'sine-gordon-three-body',
  paperId: 'SineGordonThreebody',
  body: 'three-body',
  nonlinearity: sineGordon,
  operator: 'Δu + sin u',
});
