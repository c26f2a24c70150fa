/** The checks of the panel's ExplainOptions that need the model, and input kinds by file name. */
import type { ModelSummary } from '../../protocol/model';
import type { ExplainInput, ExplainOptions } from '../../protocol/webview';

/** The method Explain Input… runs when none is asked for (its options take the schemas' defaults). */
export const DEFAULT_EXPLAIN_METHOD = 'integrated-gradients';

/** Why these options cannot apply to this model, or undefined when they can. */
export function checkAgainstModel(o: ExplainOptions, summary: ModelSummary | undefined): string | undefined {
  if (!summary) return undefined;
  if (o.output !== undefined && !summary.outputs.some((h) => h.name === o.output)) return `The model has no output named "${o.output}".`;
  const classes = outputClasses(summary, o.output);
  if (o.target !== undefined && classes !== undefined && o.target >= classes) {
    return `Target class ${o.target} is out of range: the model has ${classes} outputs.`;
  }
  if (o.layer !== undefined && !summary.layers.some((l) => l.name === o.layer)) {
    return `The model has no layer named "${o.layer}".`;
  }
  return undefined;
}

/** Classes of the head named `output` (default the first): its last dimension, 2 for a sigmoid unit; when known. */
export function outputClasses(summary: ModelSummary, output?: string): number | undefined {
  const head = summary.outputs.find((h) => h.name === output) ?? summary.outputs[0];
  if (head?.kind === 'sigmoid') return 2;
  const shape = head?.shape;
  const last = shape?.[shape.length - 1];
  return typeof last === 'number' && last > 0 ? last : undefined;
}

export function inputKindOf(file: string): ExplainInput['kind'] {
  if (/\.(png|jpe?g)$/i.test(file)) return 'image';
  if (/\.csv$/i.test(file)) return 'tabular';
  if (/\.txt$/i.test(file)) return 'text';
  return 'tensor';
}
