/** SineGordonTime: u_t + Δu + sin u = 0, g = 5/(10 + 2‖x‖²) (pdes.md §4.2; published-tables trains U = d·u, O2). */
import { semilinear } from './semilinear.ts';
import { sineGordon } from './nonlinearity.ts';
import { rationalTerminal } from './terminal-data.ts';

export default semilinear({
  name: 'sine-gordon-time',
  paperId: 'SineGordonTime',
  operator: 'Δu + sin u',
  N: (u) => sineGordon.N(u)!,
  g: rationalTerminal,
  references: { 10: 0.322947, 100: 0.0528368, 1000: 0.0055896, 10000: 0.0005621 },
  scaledByDimension: true,
});
