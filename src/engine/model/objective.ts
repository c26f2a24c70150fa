/**
 * The scalar each method differentiates, per example of a batch: an objective (protocol/objective.ts)
 * computed from the model's first output. `target: number` is the class objective in output space:
 * the output column itself (targetScore, targetColumn, inputGradient keep that meaning).
 */
import * as tf from '@tensorflow/tfjs';
import { OBJECTIVE_SPACES, type Objective, type ObjectiveSpace } from '../../protocol/objective';
import { forward, headOutput, type Runnable } from '../checkpoint/forward';
import { LensError } from '../errors';
import { hasFinalSoftmax, withLogits } from './logits';
import { outputKind, type OutputKind } from './probabilities';

export type { Objective } from '../../protocol/objective';

/** Where log(p) of a probability output is taken, so the log stays finite. */
const MIN_PROBABILITY = 1e-30;

/** The objective the `target` option has always meant: the output column `index`. */
export function classObjective(index: number): Objective {
  return { kind: 'class', index, space: 'output' };
}

/** [batch, ...] → [batch]: the model's first output at column `target` (outputs flattened per example). */
export function targetScore(checkpoint: Runnable, x: tf.Tensor, target: number): tf.Tensor1D {
  return targetColumn(forward(checkpoint, x), target);
}

/** [batch, ...] model output → [batch]: column `target` of each example's flattened output. */
export function targetColumn(out: tf.Tensor, target: number): tf.Tensor1D {
  const rows = out.reshape([out.shape[0], -1]) as tf.Tensor2D;
  checkIndex(target, rows.shape[1], 'Target class');
  return rows.slice([0, target], [-1, 1]).reshape([-1]) as tf.Tensor1D;
}

/** d(Σ_batch targetScore)/dx: each example's gradient, since examples do not interact. */
export function inputGradient(checkpoint: Runnable, x: tf.Tensor, target: number): tf.Tensor {
  return tf.grad((input: tf.Tensor) => targetScore(checkpoint, input, target).sum())(x);
}

/** Whether the objective reads logits (or log-probabilities) rather than the output as it is. */
function wantsLogits(objective: Objective): boolean {
  return !(objective.kind === 'class' && objective.space !== 'logit');
}

/**
 * [batch, ...] model output of a known kind (decided once on the unperturbed input, as for
 * toProbabilities) → [batch] objective values. Synchronous: call it inside a tidy.
 */
export function objectiveOfOutput(out: tf.Tensor, objective: Objective, kind: OutputKind): tf.Tensor1D {
  if (objective.kind === 'class') {
    if (objective.space === 'output') return targetColumn(out, objective.index);
    if (objective.space === 'probability') return targetColumn(kind === 'logits' ? tf.softmax(rows(out)) : out, objective.index);
    if (kind !== 'logits') {
      throw new LensError('BAD_REQUEST', "The model outputs probabilities and its softmax cannot be removed here: explain the class in 'probability' space, or a margin (which equals the logit margin).");
    }
    return targetColumn(out, objective.index);
  }
  if (objective.kind === 'margin') {
    const z = rows(out);
    const classes = z.shape[1];
    checkIndex(objective.target, classes, 'Margin target');
    if (objective.against !== 'runner-up') checkIndex(objective.against, classes, 'Margin class');
    if (objective.against === objective.target) throw new LensError('BAD_REQUEST', 'A margin needs two different classes.');
    if (classes < 2) throw new LensError('BAD_REQUEST', 'A margin needs a model with at least two outputs.');
    // Logits: z_t − z_a directly. Probabilities: log p_t − log p_a, the same number.
    const scores = kind === 'logits' ? z : tf.log(tf.maximum(z, MIN_PROBABILITY));
    const mine = targetColumn(scores, objective.target);
    if (objective.against !== 'runner-up') return tf.sub(mine, targetColumn(scores, objective.against)) as tf.Tensor1D;
    const isTarget = tf.oneHot(tf.fill([z.shape[0]], objective.target, 'int32'), classes).cast('bool');
    const others = tf.where(isTarget, tf.fill(scores.shape, -Infinity), scores);
    return tf.sub(mine, tf.max(others, 1)) as tf.Tensor1D;
  }
  return continuationLogProbability(out, objective.tokens, kind);
}

/** Σᵢ log p(tokens[i]) at the positions that predict them (see protocol/objective.ts), [batch]. */
function continuationLogProbability(out: tf.Tensor, tokens: number[], kind: OutputKind): tf.Tensor1D {
  const m = tokens.length;
  if (m === 0) throw new LensError('BAD_REQUEST', 'A continuation needs at least one token.');
  const logp = (scores: tf.Tensor) => (kind === 'logits' ? tf.logSoftmax(scores) : tf.log(tf.maximum(scores, MIN_PROBABILITY)));
  if (out.rank === 2) {
    if (m !== 1) throw new LensError('BAD_REQUEST', `The model scores one next token ([batch, vocabulary] output); a continuation of ${m} tokens needs [batch, positions, vocabulary].`);
    return targetColumn(logp(out), tokens[0]);
  }
  if (out.rank !== 3) throw new LensError('BAD_REQUEST', `A continuation needs next-token scores of shape [batch, positions, vocabulary], not [${out.shape}].`);
  const [, positions, vocabulary] = out.shape as [number, number, number];
  if (positions < m + 1) {
    throw new LensError('BAD_REQUEST', `A continuation of ${m} tokens needs at least ${m + 1} positions (the input ends with the continuation); the output has ${positions}.`);
  }
  tokens.forEach((t) => checkIndex(t, vocabulary, 'Continuation token'));
  // Positions T−m−1 … T−2 predict tokens 0 … m−1.
  const window = logp(tf.slice(out, [0, positions - m - 1, 0], [-1, m, -1])); // [b, m, V]
  const picks = tf.oneHot(tf.tensor1d(tokens, 'int32'), vocabulary).expandDims(0); // [1, m, V]
  return tf.sum(tf.mul(window, picks), [1, 2]) as tf.Tensor1D;
}

/**
 * The objective as a function of the model's input: [k, ...] → [k], synchronous and
 * differentiable. `kind` is the output's kind on the unperturbed input (default: decided on the
 * first batch). Objectives that read logits run a final softmax layer as the identity (logits.ts).
 */
export function objectiveFunction(checkpoint: Runnable, objective: Objective, kind?: OutputKind): (x: tf.Tensor) => tf.Tensor1D {
  if (objective.kind === 'class' && objective.space === 'output') return (x) => targetScore(checkpoint, x, objective.index);
  const model = checkpoint.model;
  if (wantsLogits(objective) && model instanceof tf.LayersModel && hasFinalSoftmax(model)) {
    return (x) => objectiveOfOutput(withLogits(model, () => headOutput(checkpoint, model.apply(x, { training: false }))), objective, 'logits');
  }
  let decided = kind;
  return (x) => {
    const out = forward(checkpoint, x);
    decided ??= outputKind(rows(out));
    return objectiveOfOutput(out, objective, decided);
  };
}

/** ∇ of Σ_batch objective with respect to the input: [k, ...]. */
export function objectiveGradient(f: (x: tf.Tensor) => tf.Tensor1D, x: tf.Tensor): tf.Tensor {
  return tf.grad((input: tf.Tensor) => f(input).sum())(x);
}

export function firstOutput(out: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor {
  return (Array.isArray(out) ? out[0] : out) as tf.Tensor;
}

function rows(out: tf.Tensor): tf.Tensor2D {
  return out.reshape([out.shape[0], -1]) as tf.Tensor2D;
}

function checkIndex(index: number, size: number, what: string): void {
  // An out-of-range slice is not checked on wasm and corrupts its memory: refuse it here.
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new LensError('BAD_REQUEST', `${what} ${index} is out of range: the model has ${size} outputs (0–${size - 1}).`);
  }
}

/**
 * An objective from the wire, checked: for request validation (params.ts), which names the field
 * in its messages. Throws BAD_REQUEST saying what is wrong.
 */
export function parseObjective(value: unknown, name = 'objective'): Objective {
  const bad = (why: string): never => {
    throw new LensError('BAD_REQUEST', `${name}: ${why}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad("expected an object with a 'kind': class, margin or continuation.");
  const o = value as Record<string, unknown>;
  const index = (v: unknown, field: string): number => (Number.isInteger(v) && (v as number) >= 0 ? (v as number) : bad(`${field} must be a class index (an integer ≥ 0).`));
  const only = (...keys: string[]) => {
    const extra = Object.keys(o).filter((k) => !keys.includes(k));
    if (extra.length > 0) bad(`unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} for kind '${String(o.kind)}'.`);
  };
  switch (o.kind) {
    case 'class': {
      only('kind', 'index', 'space');
      const space = o.space ?? 'output';
      if (!OBJECTIVE_SPACES.includes(space as ObjectiveSpace)) bad(`space must be one of ${OBJECTIVE_SPACES.join(', ')}.`);
      return { kind: 'class', index: index(o.index, 'index'), space: space as ObjectiveSpace };
    }
    case 'margin': {
      only('kind', 'target', 'against');
      const target = index(o.target, 'target');
      const against = o.against === 'runner-up' ? 'runner-up' : index(o.against, "against (a class index, or 'runner-up')");
      if (against === target) bad('target and against must be different classes.');
      return { kind: 'margin', target, against };
    }
    case 'continuation': {
      only('kind', 'tokens');
      if (!Array.isArray(o.tokens) || o.tokens.length === 0 || o.tokens.length > 4096) bad('tokens must be a non-empty list of token ids.');
      return { kind: 'continuation', tokens: (o.tokens as unknown[]).map((t, i) => index(t, `tokens[${i}]`)) };
    }
    default:
      return bad(`unknown kind ${JSON.stringify(o.kind)}: use class, margin or continuation.`);
  }
}
