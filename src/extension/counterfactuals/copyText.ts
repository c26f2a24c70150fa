/** What Copy puts on the clipboard besides a CSV row (shared/counterfactualCsv.ts): a counterfactual as JSON. */
import type { Counterfactual, CounterfactualResult } from '../../protocol/counterfactual';
import type { ModelSummary } from '../../protocol/model';
import { DEFAULT_LABEL_COLUMN } from '../../shared/csv';

/** The CSV column that holds labels: the sidecar's input.labelColumn, else the default. */
export function labelColumnOf(summary: ModelSummary | undefined): string {
  return summary?.sidecar.sidecar.input?.labelColumn ?? DEFAULT_LABEL_COLUMN;
}

/** One counterfactual with what it answers: the method, the target, and the original's prediction (and row or text). */
export function counterfactualJson(result: CounterfactualResult, cf: Counterfactual): Record<string, unknown> {
  const { image: _image, ...original } = result.original;
  return { method: result.method, target: result.target, targetLabel: result.targetLabel, original, ...cf };
}
