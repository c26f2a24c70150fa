/**
 * The tiny decoder's files besides its weights: the sidecar naming its tokenizer, the prompt spec
 * `sentiment.icl.json` (four demonstrations and 40 queries, all reviews the model never saw in
 * training, with neutral texts and explanations), and metrics.json with what the engine's own
 * ICL comparison measures on that spec.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../src/engine/engine';
import type { PieceTokenizer } from '../../src/engine/data/pieces';
import type { IclResult, IclSpec } from '../../src/protocol/icl';
import type { Sidecar } from '../../src/protocol/model';
import { EXPLANATION_TEMPLATE, LABELS, TEMPLATE, explanationOf, neutralise, type Review } from './iclTask';
import { writeJson } from './json';
import { makeRng } from '../../src/engine/common/random';

export interface ExampleRun {
  dir: string;
  tokenizer: PieceTokenizer;
  heldOutReviews: Review[];
  log: object[];
  seed: number;
  context: number;
}

const QUERIES = 40;

/** Two positive and two negative held-out reviews as demonstrations (+ − − +), then 20 of each as queries. */
export function exampleSpec(reviews: Review[]): IclSpec {
  const rng = makeRng(7);
  const positive = reviews.filter((r) => r.sentiment === 1);
  const negative = reviews.filter((r) => r.sentiment === 0);
  if (positive.length < 2 + QUERIES / 2 || negative.length < 2 + QUERIES / 2) throw new Error('too few held-out reviews of one sentiment');
  const demos = [positive[0], negative[0], negative[1], positive[1]];
  const queries = Array.from({ length: QUERIES }, (_, i) => (i % 2 === 0 ? positive : negative)[2 + Math.floor(i / 2)]);
  return {
    description: 'Synthetic movie reviews the tiny decoder never saw in training: four demonstrations (with neutralised inputs and explanations) and 40 queries.',
    template: TEMPLATE,
    explanationTemplate: EXPLANATION_TEMPLATE,
    labels: [...LABELS],
    demonstrations: demos.map((r) => ({ input: r.words.join(' '), label: LABELS[r.sentiment], neutral: neutralise(r, rng).join(' '), explanation: explanationOf(r.valence) })),
    queries: queries.map((r) => ({ input: r.words.join(' '), label: LABELS[r.sentiment] })),
  };
}

export async function writeTinyDecoderExample(run: ExampleRun): Promise<void> {
  const { dir, heldOutReviews, log, seed, context } = run;
  const specFile = path.join(dir, 'sentiment.icl.json');
  writeJson(specFile, { $schema: '../../media/icl.schema.json', ...exampleSpec(heldOutReviews) });
  const sidecar: Sidecar = {
    description:
      `Tiny causal transformer (2 blocks, width 64, 4 heads, ${run.tokenizer.vocab.length}-piece vocabulary, ${context} positions) trained on a synthetic ` +
      'few-shot sentiment task in which 30% of episodes have every label flipped, so it learned to follow its demonstrations. Next-token logits [batch, positions, vocabulary].',
    input: { kind: 'text', tokenizer: 'pieces', vocab: 'vocab.json' },
  };
  writeJson(path.join(dir, 'model.lens.json'), sidecar);

  // What the engine measures on the spec: the same request `model-lens icl` sends.
  const engine = new Engine(() => {}, { helper: false });
  await engine.useBackend(tf.getBackend() as 'wasm' | 'cpu');
  const ctx = { signal: new AbortController().signal, onProgress: () => {} };
  const result = (await engine.run('icl', { specPath: specFile, provider: `local:${path.join(dir, 'model.json')}`, variants: ['original', 'flipped', 'neutral', 'explained'], saliency: 'gradient' }, ctx)) as IclResult;
  engine.dispose();
  const variants = Object.fromEntries(
    Object.entries(result.variants).map(([name, v]) => [name, { accuracy: v.accuracy, flipFollowingRate: v.flipFollowingRate, saliencyShares: v.saliencyShares }]),
  );
  writeJson(path.join(dir, 'metrics.json'), { seed, steps: (log.at(-1) as { step: number }).step, training: log.at(-1), tfjs: tf.version.tfjs, backend: tf.getBackend(), spec: 'sentiment.icl.json', variants });
  for (const [name, v] of Object.entries(variants)) console.log(`${name}: accuracy ${v.accuracy}, follows flip ${v.flipFollowingRate}, shares ${JSON.stringify(v.saliencyShares)}`);
  if ((result.variants.flipped?.flipFollowingRate ?? 0) < 0.9) throw new Error('the decoder follows flipped demonstrations on fewer than 90% of the held-out queries');
}
