/** The panel's ExplainOptions → the engine's SaliencyOptions, and the checks that need the model. */
import type { ModelSummary } from '../../protocol/model';
import type { SaliencyOptions } from '../../protocol/saliency';
import type { ExplainInput, ExplainOptions } from '../../protocol/webview';

/** What Explain Input… runs when nothing else is asked for. */
export const DEFAULT_EXPLAIN: ExplainOptions = { method: 'integrated-gradients', steps: 64, baseline: 'zeros', metrics: false };

export function toSaliencyOptions(o: ExplainOptions): SaliencyOptions {
  const { baseline, ...rest } = o;
  const options: SaliencyOptions = { ...rest };
  if (baseline) options.baseline = { kind: baseline };
  return options;
}

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

export function inputKindOf(file: string): ExplainInput['kind'] {
  if (/\.(png|jpe?g)$/i.test(file)) return 'image';
  if (/\.csv$/i.test(file)) return 'tabular';
  if (/\.txt$/i.test(file)) return 'text';
  return 'tensor';
}
