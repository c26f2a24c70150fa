/**
 * TracIn, checkpoint version (Pruthi et al. 2020): Σ_k η_k ∇L(z_test; θ_k) · ∇L(z; θ_k) over
 * checkpoints of one training run, η_k the learning rate used after checkpoint k. Callers add one
 * checkpoint's term at a time so only one checkpoint's gradients are in memory.
 */
import type { Dataset, GradientRows, Objective } from './objective';
import { project } from './influenceFunctions';

/** scores += η · rows · ∇L(test; θ_k). */
export function addTracInTerm(scores: Float64Array, objective: Objective, rows: GradientRows, test: Dataset, learningRate: number): void {
  const testGradient = objective.exampleGradient(test, 0);
  const term = project(rows, testGradient);
  for (let i = 0; i < scores.length; i++) scores[i] += learningRate * term[i];
}

