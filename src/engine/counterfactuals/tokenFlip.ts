/**
 * token-flip (HotFlip, Ebrahimi et al. 2018): token substitutions ranked by the embedding gradient,
 * applied greedily. With g_p the gradient of the target's margin (over the runner-up) at position
 * p's embedding, replacing token a by token b changes the margin by about g_p · (E_b − E_a); the
 * CANDIDATES best-ranked substitutions are run through the model, the one that raises the margin
 * most is applied, and its position is not edited again, until the model predicts the target.
 * Padding and the unknown word are never inserted; padding positions are never edited.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Checkpoint } from '../checkpoint/load';
import { PAD_ID, UNKNOWN_ID } from '../data/text';
import { LensError } from '../errors';
import { embeddingLayer, layerSubject } from '../model/subject';
import type { Decision } from './decision';

/** Substitutions run through the model per edit, the best-ranked by the gradient. */
const CANDIDATES = 16;

export interface Flipped {
  /** The edited ids, or null when the budget ran out (the closest ones are in `ids` anyway). */
  ids: Int32Array | null;
  edits: { position: number; from: number; to: number }[];
  margin: number;
}

export async function tokenFlip(checkpoint: Checkpoint, decision: Decision, ids: Int32Array, maxEdits: number, ctx: RunContext): Promise<Flipped> {
  const model = checkpoint.model;
  const layer = model instanceof tf.LayersModel ? embeddingLayer(model) : null;
  if (!layer) throw new LensError('BAD_REQUEST', 'token-flip needs a layers model with an Embedding layer: it ranks substitutions by the gradient at the embeddings.');
  // The layer's own variable (not a copy): not disposed here.
  const embeddings = layer.getWeights()[0] as tf.Tensor2D;
  const current = ids.slice();
  const edited = new Set<number>();
  const edits: Flipped['edits'] = [];
  const margins = (batch: Int32Array[]) => tf.tidy(() => Array.from(decision.margin(tf.tensor2d(concat(batch), [batch.length, current.length], 'int32')).dataSync()));
  let margin = margins([current])[0];
  for (let n = 0; n < maxEdits && margin <= 0; n++) {
    const ranked = rank(checkpoint, layer, embeddings, decision.target, current, edited);
    if (ranked.length === 0) break;
    const tries = ranked.slice(0, CANDIDATES).map(({ position, token }) => {
      const next = current.slice();
      next[position] = token;
      return next;
    });
    const scores = margins(tries);
    const best = scores.indexOf(Math.max(...scores));
    const { position, token } = ranked[best];
    edits.push({ position, from: current[position], to: token });
    current[position] = token;
    edited.add(position);
    margin = scores[best];
    ctx.onProgress(n + 1, maxEdits, 'Flipping tokens');
    await new Promise<void>((resolve) => setImmediate(resolve));
    ctx.signal.throwIfAborted();
  }
  return { ids: margin > 0 ? current : null, edits, margin };
}

/** Substitutions (position, token) by their first-order gain g_p · (E_token − E_current), best first. */
function rank(checkpoint: Checkpoint, layer: tf.layers.Layer, embeddings: tf.Tensor2D, target: number, ids: Int32Array, edited: Set<number>): { position: number; token: number }[] {
  const x = tf.tensor2d(ids, [1, ids.length], 'int32');
  const subject = layerSubject(checkpoint, layer, x, { kind: 'margin', target, against: 'runner-up' }, 'token-flip');
  try {
    const gains = tf.tidy(() => {
      const g = subject.gradient(subject.x).reshape([ids.length, -1]) as tf.Tensor2D; // [T, D]
      const toEach = tf.matMul(g, embeddings, false, true); // [T, V]: g_p · E_v
      const fromCurrent = tf.sum(tf.mul(g, tf.gather(embeddings, tf.tensor1d(ids, 'int32'))), 1, true); // g_p · E_{x_p}
      return tf.sub(toEach, fromCurrent).arraySync() as number[][];
    });
    const out: { position: number; token: number; gain: number }[] = [];
    gains.forEach((row, position) => {
      if (ids[position] === PAD_ID || edited.has(position)) return;
      row.forEach((gain, token) => {
        if (token !== PAD_ID && token !== UNKNOWN_ID && token !== ids[position]) out.push({ position, token, gain });
      });
    });
    return out.sort((a, b) => b.gain - a.gain);
  } finally {
    subject.dispose();
    x.dispose();
  }
}

function concat(rows: Int32Array[]): Int32Array {
  const out = new Int32Array(rows.reduce((n, r) => n + r.length, 0));
  let at = 0;
  for (const r of rows) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}
