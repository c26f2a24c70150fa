/**
 * `local:<model.json>`: a TF.js causal language model as the ICL comparison's language model. Its
 * sidecar names the tokenizer (input.tokenizer "pieces", input.vocab); its output is next-token
 * scores [batch, positions, vocabulary]. Label probabilities come from the exact full-vocabulary
 * distribution at the prompt's last position: a label sums the vocabulary's tokens equal to the
 * label word after trimming, case-insensitively, as for endpoints (a label that is no single token
 * is the probability of its pieces as a continuation). Token saliency differentiates log p(label |
 * prompt), the `continuation` objective, through the subject at the Embedding layer's output
 * (model/subject.ts): gradient × embedding, or Integrated Gradients from zero embeddings.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { PieceTokenizer } from '../data/pieces';
import { readVocab, UNKNOWN_ID } from '../data/text';
import { LensError } from '../errors';
import { sumOverBatches } from '../model/batching';
import { objectiveOfOutput } from '../model/objective';
import { weightedPathGradients } from '../model/pathGradients';
import { outputKind, toProbabilities, type OutputKind } from '../model/probabilities';
import { gaussLegendre } from '../model/quadrature';
import { embeddingLayer, layerSubject, type Subject } from '../model/subject';
import type { GradientMethod, GradientSaliency, LabelDistribution, LanguageModel, PromptToken } from './provider';

/** Points per batch of the path integral. */
const IG_BATCH = 16;

const key = (s: string) => s.trim().toLowerCase();

export class LocalLanguageModel implements LanguageModel {
  readonly requests = 0;
  readonly endpoint = null;
  private readonly tokenizer: PieceTokenizer;
  /** Per label (by its key): the vocabulary ids equal to it after trimming and lowercasing. */
  private readonly labelIds = new Map<string, number[]>();
  /** Whether the model outputs logits or probabilities, decided on its first output. */
  private kind: OutputKind | undefined;

  constructor(
    private readonly checkpoint: Checkpoint,
    readonly model: string,
  ) {
    const input = checkpoint.sidecar.sidecar.input;
    const sidecarFile = checkpoint.sidecar.path;
    if (input?.kind !== 'text' || input.tokenizer !== 'pieces' || !input.vocab || !sidecarFile) {
      throw new LensError(
        'INVALID_SIDECAR',
        `${checkpoint.path} is not described as a causal language model: its sidecar must name its tokenizer (input: {"kind": "text", "tokenizer": "pieces", "vocab": "<vocab.json>"}).`,
      );
    }
    const vocab = readVocab(path.resolve(path.dirname(sidecarFile), input.vocab));
    const shape = checkpoint.outputs[0]?.shape ?? [];
    if (shape.length !== 3 || shape[2] !== vocab.length) {
      throw new LensError('INVALID_MODEL', `A causal language model outputs next-token scores [batch, positions, ${vocab.length}] (its vocabulary's size); ${path.basename(checkpoint.path)} outputs [${shape.map((d) => d ?? '?').join(', ')}].`);
    }
    this.tokenizer = new PieceTokenizer(vocab, UNKNOWN_ID);
    vocab.forEach((token, id) => {
      const k = key(token);
      if (k.length > 0) this.labelIds.set(k, [...(this.labelIds.get(k) ?? []), id]);
    });
  }

  tokens(prompt: string): PromptToken[] {
    return this.tokenizer.encode(prompt).map(({ text, start, end }) => ({ text, start, end }));
  }

  /** Pieces of `prompt` the vocabulary lacks (read as the unknown token). */
  unknownPieces(prompt: string): string[] {
    return this.tokenizer.encode(prompt).filter((p) => p.id === UNKNOWN_ID).map((p) => p.text);
  }

  async score(prompt: string, labels: readonly string[], signal: AbortSignal): Promise<LabelDistribution> {
    signal.throwIfAborted();
    const ids = this.ids(prompt);
    const raw = labels.map((label) => {
      const single = this.labelIds.get(key(label));
      return single ? this.nextTokenMass(ids, single) : Math.exp(this.continuationLogProbability(ids, this.labelPieces(label)));
    });
    const coverage = raw.reduce((a, b) => a + b, 0);
    return { probs: Object.fromEntries(labels.map((l, i) => [l, raw[i] / coverage])), coverage, belowTopK: [], topKMin: null };
  }

  async gradientSaliency(prompt: string, label: string, method: GradientMethod, ctx: RunContext): Promise<GradientSaliency> {
    const model = this.checkpoint.model;
    const layer = model instanceof tf.LayersModel ? embeddingLayer(model) : null;
    if (!layer) throw new LensError('INVALID_MODEL', `Gradient saliency needs a layers model with an Embedding layer (gradients cannot reach integer token ids); ${path.basename(this.checkpoint.path)} has none. Use occlusion.`);
    const prompted = this.ids(prompt);
    const continuation = this.labelPieces(label);
    // Teacher forcing: the input ends with the label's pieces, which the positions before them predict.
    const x = tf.tensor2d([...prompted, ...continuation], [1, prompted.length + continuation.length], 'int32');
    let subject: Subject;
    try {
      subject = layerSubject(this.checkpoint, layer, x, { kind: 'continuation', tokens: continuation }, 'ICL saliency');
    } catch (err) {
      x.dispose();
      throw err;
    }
    try {
      const embedded = subject.x; // [1, T, d]
      let attribution: tf.Tensor;
      let completenessDelta: number | undefined;
      if (method.kind === 'gradient') {
        attribution = tf.tidy(() => tf.sum(tf.mul(subject.gradient(embedded), embedded), -1));
      } else {
        const { steps } = method;
        const rule = gaussLegendre(steps);
        const baseline = tf.zerosLike(embedded);
        try {
          const summed = await sumOverBatches(steps, IG_BATCH, ctx, (start, end) =>
            weightedPathGradients(subject.gradient, baseline, embedded, rule.nodes.slice(start, end), rule.weights.slice(start, end)),
          );
          attribution = tf.tidy(() => tf.sum(tf.mul(summed, embedded), -1));
          summed.dispose();
          const gap = tf.tidy(() => tf.sub(tf.sum(attribution), tf.sub(subject.forward(embedded).sum(), subject.forward(baseline).sum())));
          completenessDelta = (await gap.data())[0];
          gap.dispose();
        } finally {
          baseline.dispose();
        }
      }
      const values = Array.from(await attribution.data()).slice(0, prompted.length);
      attribution.dispose();
      return { values, ...(completenessDelta !== undefined ? { completenessDelta } : {}) };
    } finally {
      subject.dispose();
      x.dispose(); // the ids the subject runs the layers before the embedding on
    }
  }

  dispose(): void {}

  private ids(prompt: string): number[] {
    const ids = this.tokenizer.encode(prompt).map((p) => p.id);
    if (ids.length === 0) throw new LensError('INVALID_INPUT', 'The prompt is empty.');
    return ids;
  }

  /** The label as the continuation after the prompt: its pieces with the leading space. */
  private labelPieces(label: string): number[] {
    const pieces = this.tokenizer.encode(` ${label.trim()}`);
    const unknown = pieces.find((p) => p.id === UNKNOWN_ID);
    if (unknown) throw new LensError('INVALID_INPUT', `The label '${label}' has the piece '${unknown.text}', which is not in ${path.basename(this.checkpoint.path)}'s vocabulary.`);
    return pieces.map((p) => p.id);
  }

  /** Σ p(id) over `ids` of the exact next-token distribution after the prompt. */
  private nextTokenMass(prompt: number[], ids: number[]): number {
    return tf.tidy(() => {
      const out = forward(this.checkpoint, tf.tensor2d(prompt, [1, prompt.length], 'int32')) as tf.Tensor3D;
      const last = tf.reshape(tf.slice(out, [0, prompt.length - 1, 0], [1, 1, -1]), [1, -1]) as tf.Tensor2D;
      this.kind ??= outputKind(last);
      const p = toProbabilities(last, this.kind).dataSync();
      return ids.reduce((sum, id) => sum + p[id], 0);
    });
  }

  /** log p(pieces | prompt) by teacher forcing: the continuation objective on prompt + pieces. */
  private continuationLogProbability(prompt: number[], pieces: number[]): number {
    return tf.tidy(() => {
      const all = [...prompt, ...pieces];
      const out = forward(this.checkpoint, tf.tensor2d(all, [1, all.length], 'int32'));
      // Each position's scores are one distribution (or its logits): decide on one row, not on the flattened [1, T·V].
      this.kind ??= outputKind(tf.reshape(tf.slice(out, [0, 0, 0], [1, 1, -1]), [1, -1]) as tf.Tensor2D);
      return objectiveOfOutput(out, { kind: 'continuation', tokens: pieces }, this.kind).dataSync()[0];
    });
  }
}
