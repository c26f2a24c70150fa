/** The checks of the panel's ExplainOptions that need the model. */
import type { ModelSummary } from '../../protocol/model';
import type { ExplainOptions } from '../../protocol/webview';

/** The method Explain Input… runs when none is asked for (its options take the schemas' defaults). */
export const DEFAULT_EXPLAIN_METHOD = 'integrated-gradients';

/** Why these options cannot apply to this model, or undefined when they can. */
export function checkAgainstModel(o: ExplainOptions, summary: ModelSummary | undefined): string | undefined {
  if (!summary) return undefined;
  const classes = outputClasses(summary);
  if (o.target !== undefined && classes !== undefined && o.target >= classes) {
    return `Target class ${o.target} is out of range: the model has ${classes} outputs.`;
  }
  if (o.layer !== undefined && !summary.layers.some((l) => l.name === o.layer)) {
    return `The model has no layer named "${o.layer}".`;
  }
  return undefined;
}

/** Size of the first output's last dimension, when known. */
export function outputClasses(summary: ModelSummary): number | undefined {
  const shape = summary.outputs[0]?.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : undefined;
}
