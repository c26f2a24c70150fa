/**
 * The shipped tiny decoder on its example spec, through the engine's `icl` request: it follows
 * flipped demonstrations on ≥ 90% of the held-out queries (and is right on ≥ 90% without flips),
 * its label-token saliency share is measured for both variants (the shares sum to 1 per variant),
 * Integrated Gradients is complete on it (to the quadrature's error), and a run leaves no tensors behind.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { LocalLanguageModel } from '../../../../src/engine/lm/local';
import type { IclResult } from '../../../../src/protocol/icl';
import { promptWords, withoutWord } from '../../../../src/shared/icl/prompt';
import { tempDir } from '../../../helpers/tempDir';

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

  it('occlusion on a local model attributes words: each is p(predicted) minus p(predicted) with the word deleted', async () => {
    const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
    const one = path.join(tempDir(), 'one.icl.json');
    fs.writeFileSync(one, JSON.stringify({ ...spec, $schema: undefined, queries: spec.queries.slice(0, 1) }));
    const run = (await engine.run('icl', { specPath: one, provider: PROVIDER, variants: ['flipped'], saliency: 'occlusion' }, ctx)) as IclResult;
    const q = run.variants.flipped!.queries[0];
    const words = promptWords(q.prompt);
    assert.deepStrictEqual(q.tokens.map((t) => [t.text, t.start, t.end]), words.map((w) => [w.text, w.start, w.end]));
    const lm = new LocalLanguageModel(await engine.checkpoint(path.join(ROOT, 'examples/tiny-decoder/model.json')), 'tiny-decoder');
    const p = async (text: string) => (await lm.score(text, spec.labels, ctx.signal)).probs[q.predicted!] as number;
    const base = await p(q.prompt);
    for (const i of [1, words.length - 4, words.length - 2]) {
      const expected = base - (await p(withoutWord(q.prompt, words[i].start, words[i].end)));
      assert.ok(Math.abs((q.tokens[i].saliency as number) - expected) < 1e-6, `'${words[i].text}': ${q.tokens[i].saliency} vs ${expected}`);
    }
  });

  it('Integrated Gradients converges to completeness on the decoder (|Σ − ΔF| ≤ 1% of |ΔF| at 1,000 steps); a run leaves no tensors', async () => {
    // ReLU kinks make the path's integrand jump, so quadrature converges slowly here. Measured on
    // the first three queries: |Σ − ΔF| / |ΔF| up to 11.5% at 64 steps (the default; each query
    // reports its completenessDelta), 1.4% at 512, 0.4% at 1,000.
    const spec = JSON.parse(fs.readFileSync(SPEC, 'utf8'));
    const small = path.join(tempDir(), 'three.icl.json');
    fs.writeFileSync(small, JSON.stringify({ ...spec, $schema: undefined, queries: spec.queries.slice(0, 3) }));
    const params = { specPath: small, provider: PROVIDER, variants: ['flipped'], saliency: 'integrated-gradients' };
    await engine.run('icl', params, ctx);
    const before = tf.memory().numTensors;
    const run = (await engine.run('icl', params, ctx)) as IclResult;
    assert.strictEqual(tf.memory().numTensors, before);
    const worst = run.variants.flipped!.queries[2];
    assert.ok(Number.isFinite(worst.completenessDelta));

    const lm = new LocalLanguageModel(await engine.checkpoint(path.join(ROOT, 'examples/tiny-decoder/model.json')), 'tiny-decoder');
    const { values, completenessDelta } = await lm.gradientSaliency(worst.prompt, worst.predicted!, { kind: 'integrated-gradients', steps: 1000 }, ctx);
    const total = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(completenessDelta!) <= 0.01 * Math.abs(total - completenessDelta!), `delta ${completenessDelta}, Σ ${total}`);
  });
});
