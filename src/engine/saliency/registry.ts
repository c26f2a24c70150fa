/** The one table of attribution methods: SaliencyMethod id → implementation. */
import type { SaliencyMethod } from '../../protocol/saliency';
import { LensError } from '../errors';
import type { AttributionMethod } from './method';
import { gradient } from './gradient';
import { gradientXInput } from './gradientXInput';
import { integratedGradients } from './integratedGradients';
import { smoothGrad } from './smoothGrad';
import { gradCam } from './gradCam';
import { occlusion } from './occlusion';

export const ATTRIBUTION_METHODS: { readonly [M in SaliencyMethod]: AttributionMethod } = {
  gradient,
  'gradient-x-input': gradientXInput,
  'integrated-gradients': integratedGradients,
  smoothgrad: smoothGrad,
  'grad-cam': gradCam,
  occlusion,
};

export function attributionMethod(id: SaliencyMethod): AttributionMethod {
  const method = Object.prototype.hasOwnProperty.call(ATTRIBUTION_METHODS, id) ? ATTRIBUTION_METHODS[id] : undefined;
  if (!method) throw new LensError('BAD_REQUEST', `Unknown saliency method '${String(id)}'.`);
  return method;
}
