/** The one table of influence methods: InfluenceMethod id → implementation (like saliency/registry.ts). */
import type { InfluenceMethod as InfluenceMethodId } from '../../protocol/influence';
import { LensError } from '../errors';
import { dampedHessianScores } from './dampedHessian';
import type { InfluenceMethod } from './method';
import { tracInScores } from './tracIn';

/** Influence functions (Koh & Liang 2017): score = ∇L(z_test)ᵀ (H + λI)⁻¹ ∇L(z) (= −I_up,loss). */
const influenceFunctions: InfluenceMethod = { id: 'influence', needsTest: true, usesSolver: true, run: dampedHessianScores };

/** TracIn (Pruthi et al. 2020): Σ_k η_k ∇L(z_test; θ_k) · ∇L(z; θ_k) over the run's checkpoints. */
const tracIn: InfluenceMethod = { id: 'tracin', needsTest: true, usesSolver: false, run: tracInScores };

/** Self-influence ∇L(z)ᵀ (H + λI)⁻¹ ∇L(z) of every training example, at this checkpoint. */
const selfInfluence: InfluenceMethod = {
  id: 'self',
  needsTest: false,
  usesSolver: true,
  run: (inputs, ctx) => dampedHessianScores({ ...inputs, test: null }, ctx),
};

export const INFLUENCE_METHOD_TABLE: { readonly [M in InfluenceMethodId]: InfluenceMethod } = {
  influence: influenceFunctions,
  tracin: tracIn,
  self: selfInfluence,
};

export function influenceMethod(id: InfluenceMethodId): InfluenceMethod {
  if (!Object.hasOwn(INFLUENCE_METHOD_TABLE, id)) throw new LensError('BAD_REQUEST', `Unknown influence method '${String(id)}'.`);
  return INFLUENCE_METHOD_TABLE[id];
}
