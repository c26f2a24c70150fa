/** Counterfactuals for text: HotFlip token substitutions, reported as the edited text and its edits. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Counterfactual } from '../../protocol/counterfactual';
import { forward } from '../checkpoint/forward';
import { PAD_ID, readVocab } from '../data/text';
import type { TrainingSet } from '../data/trainingSet';
import { LensError } from '../errors';
import { outputKind, toProbabilities } from '../model/probabilities';
import { decisionFor, verdictOf, type Verdict } from './decision';
import { describeVerdict, refuseCurrentClass, type KindResult, type RunSetup } from './run';
import { tokenFlip } from './tokenFlip';

/** Tokens replaced at most when the request does not say. */
export const DEFAULT_MAX_EDITS = 5;

export async function textCounterfactuals(setup: RunSetup): Promise<KindResult> {
  const { checkpoint, params, input, target, train } = setup;
  const { sidecar, path: sidecarPath } = checkpoint.sidecar;
  if (input.tensor.shape[0] !== 1) throw new LensError('INVALID_INPUT', 'Counterfactuals change one text at a time.');
  if (!sidecar.input?.vocab || !sidecarPath) throw new LensError('INVALID_SIDECAR', "token-flip needs the sidecar's input.vocab to name the tokens it substitutes.");
  const vocab = readVocab(path.resolve(path.dirname(sidecarPath), sidecar.input.vocab));
  const ids = Int32Array.from(input.tensor.dataSync());
  const text = (v: Int32Array) => Array.from(v).filter((id) => id !== PAD_ID).map((id, i) => (v[i] === ids[i] ? (input.tokens?.[i] ?? vocab[id]) : vocab[id])).join(' ');
  const labels = sidecar.labels;
  const original = verdictOn(setup, ids);
  refuseCurrentClass(original, setup);
  const maxEdits = params.maxEdits ?? DEFAULT_MAX_EDITS;
  const decision = decisionFor(checkpoint, input.tensor, target);
  const flipped = await tokenFlip(checkpoint, decision, ids, maxEdits, setup.ctx);
  const base = {
    original: { ...describeVerdict(original, target, labels), text: text(ids) },
    diversity: null,
    constraints: { kind: 'text' as const, maxEdits, vocabulary: vocab.length },
    details: `token-flip: ${flipped.edits.length} substitution${flipped.edits.length === 1 ? '' : 's'} made`,
    warnings: [],
  };
  const name = labels?.[target] ?? String(target);
  const verdict = flipped.ids && verdictOn(setup, flipped.ids);
  if (!flipped.ids || !verdict || verdict.prediction !== target) {
    return { ...base, counterfactuals: [], reason: `No counterfactual: ${maxEdits} token substitution${maxEdits === 1 ? "" : "s"} did not make the model predict '${name}' (the closest reached a margin of ${flipped.margin.toPrecision(3)}); raise --max-edits.` };
  }
  const counterfactual: Counterfactual = {
    changes: [],
    ...describeVerdict(verdict, target, labels),
    validity: true,
    proximity: flipped.edits.length,
    sparsity: flipped.edits.length,
    plausibility: train ? nearestHamming(train, target, flipped.ids) : null,
    text: text(flipped.ids),
    edits: flipped.edits.sort((a, b) => a.position - b.position).map((e) => ({ position: e.position, from: input.tokens?.[e.position] ?? vocab[e.from], to: vocab[e.to] })),
  };
  return { ...base, counterfactuals: [counterfactual], reason: null };
}

/** The real model's verdict on token ids. */
function verdictOn(setup: RunSetup, ids: Int32Array): Verdict {
  const probabilities = tf.tidy(() => {
    const out = forward({ model: setup.checkpoint.model }, tf.tensor2d(ids, [1, ids.length], 'int32'));
    const rows = out.reshape([1, -1]) as tf.Tensor2D;
    return toProbabilities(rows, outputKind(rows)).arraySync()[0] as number[];
  });
  return verdictOf(probabilities, setup.target);
}

/** Positions where the counterfactual differs from the nearest training text of the target class. */
function nearestHamming(train: TrainingSet, target: number, ids: Int32Array): number | null {
  if (train.x.rank !== 2 || train.x.shape[1] !== ids.length) return null;
  const all = train.x.dataSync();
  let best = Infinity;
  train.labels.forEach((label, r) => {
    if (label !== target) return;
    let differ = 0;
    for (let i = 0; i < ids.length; i++) if (all[r * ids.length + i] !== ids[i]) differ++;
    best = Math.min(best, differ);
  });
  return Number.isFinite(best) ? best : null;
}
