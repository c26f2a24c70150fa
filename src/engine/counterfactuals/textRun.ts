/** Counterfactuals for text: HotFlip token substitutions, reported as the edited text and its edits. */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Counterfactual } from '../../protocol/counterfactual';
import { PAD_ID, readVocab } from '../data/text';
import type { TrainingSet } from '../data/trainingSet';
import { LensError } from '../errors';
import { labelOf } from '../model/head';
import { decisionFor, judge } from './decision';
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
  const decision = decisionFor(checkpoint, input.tensor, target);
  const verdictOn = (v: Int32Array) => judge(decision, tf.tensor2d(v, [1, v.length], 'int32'))[0];
  const original = verdictOn(ids);
  refuseCurrentClass(original, setup);
  const maxEdits = params.maxEdits ?? DEFAULT_MAX_EDITS;
  const flipped = await tokenFlip(checkpoint, decision, ids, maxEdits, setup.ctx);
  const base = {
    original: { ...describeVerdict(original, setup), text: text(ids) },
    diversity: null,
    constraints: { kind: 'text' as const, maxEdits, vocabulary: vocab.length },
    details: `token-flip: ${flipped.edits.length} substitution${flipped.edits.length === 1 ? '' : 's'} made`,
    warnings: [],
  };
  const name = labelOf(setup.head, target);
  const verdict = flipped.ids && verdictOn(flipped.ids);
  if (!flipped.ids || !verdict || verdict.prediction !== target) {
    return { ...base, counterfactuals: [], reason: `No counterfactual: ${maxEdits} token substitution${maxEdits === 1 ? "" : "s"} did not make the model predict '${name}' (the closest reached a margin of ${flipped.margin.toPrecision(3)}); raise --max-edits.` };
  }
  const counterfactual: Counterfactual = {
    changes: [],
    ...describeVerdict(verdict, setup),
    validity: true,
    proximity: flipped.edits.length,
    sparsity: flipped.edits.length,
    plausibility: train ? nearestHamming(train, target, flipped.ids) : null,
    text: text(flipped.ids),
    edits: flipped.edits.sort((a, b) => a.position - b.position).map((e) => ({ position: e.position, from: input.tokens?.[e.position] ?? vocab[e.from], to: vocab[e.to] })),
  };
  return { ...base, counterfactuals: [counterfactual], reason: null };
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
