/** The partial-derivative mechanisms by name (`operator --partial … --estimator NAME`). */
import { UsageError } from '../engine/errors.ts';
import { nestedPartials, plannedPartials, type PartialEstimator } from './partials.ts';
import { jvpHvpPartials } from './jvp-hvp.ts';

export const PARTIAL_ESTIMATORS: PartialEstimator[] = [plannedPartials, nestedPartials, jvpHvpPartials];

/** The Laplacian baseline's name for the same mechanism. */
const ALIASES: Record<string, string> = { 'forward-over-backward': 'jvp-hvp' };

export function getPartialEstimator(name: string): PartialEstimator {
  const e = PARTIAL_ESTIMATORS.find((x) => x.name === (ALIASES[name] ?? name));
  if (!e) throw new UsageError(`unknown estimator '${name}' for --partial (expected one of: ${PARTIAL_ESTIMATORS.map((x) => x.name).join(', ')})`);
  return e;
}
