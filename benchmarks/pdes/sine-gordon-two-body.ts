/** SineGordonTwobody: Δu + sin u = f, two-body exact solution (pdes.md §2). */
import { inseparable } from './inseparable.ts';
import { sineGordon } from './nonlinearity.ts';

export default inseparable({
  name: 'sine-gordon-two-body',
  paperId: 'SineGordonTwobody',
  body: 'two-body',
  nonlinearity: sineGordon,
  operator: 'Δu + sin u',
});
