/**
 * The shipped tiny decoder on its example spec, through the engine's `icl` request: it follows
 * flipped demonstrations on ≥ 90% of the held-out queries (and is right on ≥ 90% without flips),
 * its label-token saliency share is measured for both variants (the shares sum to 1 per variant),
 * Integrated Gradients is complete on it, and a run leaves no tensors behind.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import type { IclResult } from '../../../../src/protocol/icl';

const ROOT = path.join(__dirname, '../../../../..');
const SPEC = path.join(ROOT, 'examples/tiny-decoder/sentiment.icl.json');
const PROVIDER = `local:${path.join(ROOT, 'examples/tiny-decoder/model.json')}`;
const ctx = { signal: new AbortController().signal, onProgress: () => {} };

describe('examples/tiny-decoder: in-context learning that follows flipped labels', function () {
  this.timeout(300_000);
  let engine: Engine;
  let result: IclResult;
  before(async () => {
    engine = new Engine(() => {}, { helper: false });
    await engine.useBackend('wasm');
    result = (await engine.run('icl', { specPath: SPEC, provider: PROVIDER, variants: ['original', 'flipped', 'neutral', 'explained'], saliency: 'gradient' }, ctx)) as IclResult;
  });
  after(() => engine.dispose());

  it('is right on ≥ 90% of the 40 held-out queries, and follows flipped demonstrations on ≥ 90%', () => {
    const { original, flipped } = result.variants;
    assert.strictEqual(original!.queries.length, 40);
    assert.ok(original!.accuracy! >= 0.9, `original accuracy ${original!.accuracy}`);
    assert.ok(flipped!.flipFollowingRate! >= 0.9, `flip-following ${flipped!.flipFollowingRate}`);
    assert.ok(Math.abs(flipped!.accuracy! + flipped!.flipFollowingRate! - 1) < 1e-12, 'two labels: a prediction is right or follows the flip');
    // The full distribution: the two labels' raw mass is the model's, nothing below a top-k.
    for (const q of original!.queries) assert.deepStrictEqual([q.belowTopK, q.topKMin], [[], null]);
    assert.deepStrictEqual(result.warnings, []);
  });

  it('measures the label tokens\' saliency share in every variant (shares of |gradient × embedding| summing to 1)', () => {
    for (const [name, v] of Object.entries(result.variants)) {
      const shares = v.saliencyShares!;
      const sum = Object.values(shares).reduce((a, b) => a + (b as number), 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${name}: shares sum to ${sum}`);
      assert.ok((shares['demo-label'] as number) > 0, `${name}: label share ${shares['demo-label']}`);
    }
    const d = result.difference!;
    assert.ok(d && d.queries.length === 40);
    // Aligned token by token: the flipped prompt differs only in its four label words.
    const labels = d.queries[0].tokens.filter((t) => t.part === 'demo-label');
    assert.deepStrictEqual(labels.map((t) => [t.original?.text, t.flipped?.text]), [[' positive', ' negative'], [' negative', ' positive'], [' negative', ' positive'], [' positive', ' negative']]);
  });

  it('Integrated Gradients is complete on the decoder (|Σ − ΔF| ≤ 1% of |ΔF| + 1e-3), and a run leaves no tensors', async () => {
    const first = (await engine.run('icl', { specPath: SPEC, provider: PROVIDER, variants: ['flipped'], saliency: 'integrated-gradients' }, ctx)) as IclResult;
    const before = tf.memory().numTensors;
    const again = (await engine.run('icl', { specPath: SPEC, provider: PROVIDER, variants: ['flipped'], saliency: 'integrated-gradients' }, ctx)) as IclResult;
    assert.strictEqual(tf.memory().numTensors, before);
    for (const q of [...first.variants.flipped!.queries, ...again.variants.flipped!.queries]) {
      const total = q.tokens.reduce((a, t) => a + (t.saliency as number), 0);
      assert.ok(Math.abs(q.completenessDelta as number) <= 0.01 * Math.abs(total - (q.completenessDelta as number)) + 1e-3, `${q.input}: delta ${q.completenessDelta}, Σ ${total}`);
    }
  });
});
