/**
 * What a method differentiates: the objective, a scalar per example computed from the model's
 * output. A small union on purpose (Captum's many-shaped targets are "very unpredictable"):
 *
 *   class         one class's score: in `output` space the model's output column as it is (what
 *                 the `target` option has always meant), or its softmax `probability`, or its
 *                 `logit` (the output before a final softmax);
 *   margin        log p(target) − log p(against) = z_target − z_against (the logit margin: the
 *                 softmax's normaliser cancels), against a class or the runner-up at each point;
 *   continuation  log p(tokens) of a continuation for a language model whose output is
 *                 [batch, positions, vocabulary] next-token scores, with the input ending in the
 *                 continuation (teacher forcing): Σᵢ log softmax(out[:, T−m−1+i])[tokens[i]]. On a
 *                 [batch, vocabulary] output, one token: log p(token) of the next-token distribution.
 */
export type Objective =
  | { kind: 'class'; index: number; space: ObjectiveSpace }
  | { kind: 'margin'; target: number; against: number | 'runner-up' }
  | { kind: 'continuation'; tokens: number[] };

export type ObjectiveSpace = 'output' | 'probability' | 'logit';

export const OBJECTIVE_SPACES: readonly ObjectiveSpace[] = ['output', 'probability', 'logit'];
