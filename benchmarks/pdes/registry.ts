/** Every PDE of the suite by command-line name. Adding one: write its file, add one line here. */
import type { PDE } from './pde.ts';
import { byName } from '../../engine/errors.ts';
import poissonTwoBody from './poisson-two-body.ts';
import allenCahnTwoBody from './allen-cahn-two-body.ts';
import sineGordonTwoBody from './sine-gordon-two-body.ts';
import poissonThreeBody from './poisson-three-body.ts';
import allenCahnThreeBody from './allen-cahn-three-body.ts';
import sineGordonThreeBody from './sine-gordon-three-body.ts';
import allenCahnTwoBodyGpinn from './allen-cahn-two-body-gpinn.ts';
import sineGordonTwoBodyGpinn from './sine-gordon-two-body-gpinn.ts';
import poissonTwoBodyGpinn from './poisson-two-body-gpinn.ts';
import semilinearHeat from './semilinear-heat.ts';
import allenCahnTime from './allen-cahn-time.ts';
import sineGordonTime from './sine-gordon-time.ts';
import kdv2d from './kdv-2d.ts';
import kp2d from './kp-2d.ts';
import gkdv1d from './gkdv-1d.ts';
import hjbLin from './hjb-lin.ts';
import hjbLqg from './hjb-lqg.ts';
import bsb from './bsb.ts';
import wave from './wave.ts';
import poissonCube from './poisson-cube.ts';
import poissonHouman from './poisson-houman.ts';

export const PDES: PDE[] = [
  poissonTwoBody,
  allenCahnTwoBody,
  sineGordonTwoBody,
  poissonThreeBody,
  allenCahnThreeBody,
  sineGordonThreeBody,
  allenCahnTwoBodyGpinn,
  sineGordonTwoBodyGpinn,
  poissonTwoBodyGpinn,
  semilinearHeat,
  allenCahnTime,
  sineGordonTime,
  kdv2d,
  kp2d,
  gkdv1d,
  hjbLin,
  hjbLqg,
  bsb,
  wave,
  poissonCube,
  poissonHouman,
];

export function getPde(name: string): PDE {
  return byName(PDES, name, 'PDE');
}
