/**
 * What an attribution's numbers mean, in words the panel's legends, colour bars and notes use: the
 * explained output ("p(7)"), each method's unit and what its signs say, Grad-CAM's resolution,
 * and when Integrated Gradients explains too small a change to be read.
 */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { formatNumber } from '../../dom';

/** The explained output: the target class's probability, or a regression head's unit. */
export function scoreName(r: SaliencyResult): string {
  return r.targetValue !== undefined ? `${r.output?.name ?? 'output'}[${r.targetLabel}]` : `p(${r.targetLabel})`;
}

/** The explained output's value on the input. */
export function scoreValue(r: SaliencyResult): number {
  return r.targetProbability ?? r.targetValue ?? NaN;
}

/** That value as the panel prints it: a probability in percent, a regression value as it is. */
export function formatScore(r: SaliencyResult): string {
  return r.targetProbability !== undefined ? `${(r.targetProbability * 100).toFixed(1)}%` : formatNumber(scoreValue(r));
}

export interface Unit {
  /** What the values are. */
  unit: string;
  /** What positive and negative values mean. */
  positive: string;
  negative: string;
}

/** The unit of a method's values and the meaning of their signs; `signed` false: their magnitude. */
export function attributionUnit(r: SaliencyResult, signed: boolean): Unit {
  const p = scoreName(r);
  const u = signedUnit(r, p);
  return signed || (r.method === 'grad-cam' && r.options.relu !== false) ? u : { ...u, unit: `magnitude of the ${u.unit}` };
}

function signedUnit(r: SaliencyResult, p: string): Unit {
  switch (r.method) {
    case 'occlusion':
      return { unit: `drop in ${p} when the window is occluded`, positive: `occluding lowers ${p}`, negative: `occluding raises ${p}` };
    case 'integrated-gradients':
      return { unit: `contribution to ${p} along the path from the baseline (they sum to F(x) − F(baseline))`, positive: `raises ${p}`, negative: `lowers ${p}` };
    case 'gradient-x-input':
      return { unit: `gradient × input: each feature's first-order contribution to ${p}`, positive: `raises ${p}`, negative: `lowers ${p}` };
    case 'gradient':
      return { unit: `gradient ∂${p}/∂x`, positive: `raising the feature raises ${p}`, negative: `raising it lowers ${p}` };
    case 'smoothgrad': {
      const variant = r.options.smoothVariant ?? 'smoothgrad';
      const what = variant === 'vargrad' ? 'variance' : variant === 'smoothgrad-squared' ? 'mean square' : 'mean';
      return { unit: `${what} of ∂${p}/∂x over noisy copies of the input`, positive: `raising the feature raises ${p}`, negative: `raising it lowers ${p}` };
    }
    case 'grad-cam':
      return {
        unit: `Grad-CAM: ${r.layer ?? 'the layer'}'s activations weighted by their gradient of ${p}${r.options.relu !== false ? ' (positive evidence only)' : ''}`,
        positive: `evidence for ${r.targetLabel}`,
        negative: `evidence against ${r.targetLabel}`,
      };
  }
}

/** Grad-CAM's map coarser than the input: "11×11 map at conv2 upsampled to 28×28". */
export function gradCamNote(r: SaliencyResult): string | undefined {
  if (r.method !== 'grad-cam' || !r.mapSize) return undefined;
  const [h, w] = r.mapSize;
  const [ih, iw] = r.attribution.shape;
  if (r.options.upsample === false) return `${h}×${w} map at ${r.layer}, shown at the layer's resolution (each cell covers part of the input).`;
  if (h === ih && w === iw) return undefined;
  return `${h}×${w} map at ${r.layer} upsampled to ${ih}×${iw}: each cell covers about ${Math.round(ih / h)}×${Math.round(iw / w)} input pixels, so finer detail is not the model's.`;
}

/** IG explains F(x) − F(baseline): a warning (with another baseline to try) when that change is small. */
export function pathWarning(r: SaliencyResult): string | undefined {
  if (r.fx === undefined || r.fBaseline === undefined) return undefined;
  const change = r.fx - r.fBaseline;
  if (Math.abs(change) >= 0.1 * Math.max(Math.abs(r.fx), Math.abs(r.fBaseline), 1e-9)) return undefined;
  const p = scoreName(r);
  const baseline = r.baseline?.kind ?? 'zeros';
  const other =
    r.input.kind === 'image'
      ? `the ${baseline === 'blur' ? 'uniform-noise' : 'blurred'} baseline`
      : r.input.kind === 'text'
        ? 'occlusion or gradient × input (text takes only the all-zero embedding as its baseline)'
        : 'the uniform-noise baseline';
  return `The baseline already scores ${p} = ${formatNumber(r.fBaseline, 4)}, close to F(x) = ${formatNumber(r.fx, 4)}: IG explains a change of only ${formatNumber(change)}, so its shares overstate what the features do. Try ${other}.`;
}

/** Max-sensitivity in one sentence, with its radius. */
export function sensitivityText(value: number, radius: number | undefined): string {
  const r = radius !== undefined ? `±${formatNumber(radius)} (2% of the input's value range)` : 'a small amount (2% of the input\'s range)';
  return `Max-sensitivity ${formatNumber(value)}: nudging every input value by up to ${r} changes the map by at most ${formatNumber(value * 100)}% of its size, over 10 tries. Lower is steadier.`;
}
