/** Every preset by name. Adding one: write its file (a Matrix), add one line here. */
import { byName } from '../../engine/errors.ts';
import type { Matrix } from '../runner/matrix.ts';
import { quick } from './quick.ts';
import { ci } from './ci.ts';
import { paperTable3 } from './paper-table-3.ts';
import { paperTable4 } from './paper-table-4.ts';
import { paperTable5 } from './paper-table-5.ts';
import { paperTable6 } from './paper-table-6.ts';
import { paperTable7 } from './paper-table-7.ts';
import { paperTable8 } from './paper-table-8.ts';
import { paperTable9 } from './paper-table-9.ts';
import { paperTable10 } from './paper-table-10.ts';
import { paperTable11 } from './paper-table-11.ts';
import { paperTable12 } from './paper-table-12.ts';

export const PRESETS: Matrix[] = [
  quick,
  ci,
  paperTable3,
  paperTable4,
  paperTable5,
  paperTable6,
  paperTable7,
  paperTable8,
  paperTable9,
  paperTable10,
  paperTable11,
  paperTable12,
];

export function getPreset(name: string): Matrix {
  return byName(PRESETS, name, 'preset');
}
