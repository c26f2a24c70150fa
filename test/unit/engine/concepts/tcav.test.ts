/**
 * TCAV on a planted concept by construction (issue 12): a fixed vertical-line detector, global
 * average pooling and a head whose class-0 logit is the mean vertical response. Vertical lines
 * raise that direction (score ≥ 0.95, significant), flat grey images lower it (≤ 0.05,
 * significant), and a concept drawn like the random sets is not significant. The same on the
 * model's graph twin, with random sets as a folder of sets and as one pool.
 *
 * The same-distribution concept is checked at 'detector', where the known direction lives. At 'gap'
 * (2 features, constant gradient) every run's score is 0 or 1, decided by which of the two sets has
 * the larger mean response; a fixed concept sample's small offset from the population then decides
 * most runs, and the t-test, which takes the runs as independent, finds it significant about one
 * time in four (measured over 10 concept draws): a known weakness of TCAV's test with a single
 * concept sample, not of this implementation.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { quietContext } from '../../../../src/engine/common/context';
import type { TcavResult } from '../../../../src/protocol/concepts';
import { plantedImages, plantedModel, writePlantedGraph, writeTensorSet } from '../../../helpers/conceptToys';
import { rejectsLens } from '../../../helpers/assertLens';
import { tempDir } from '../../../helpers/tempDir';

describe('concepts: TCAV on a planted concept', () => {
  const engine = new Engine(() => {}, { helper: false });
  let layersPath: string;
  let graphPath: string;
  let data: string;
  const concepts = (dir: string) => [
    { name: 'vertical', path: path.join(dir, 'vertical.json') },
    { name: 'flat', path: path.join(dir, 'flat.json') },
    { name: 'noise', path: path.join(dir, 'noise.json') },
  ];

  before(async () => {
    await engine.useBackend('wasm');
    layersPath = await saveLayersModel(plantedModel(), tempDir());
    graphPath = writePlantedGraph();
    data = tempDir();
    writeTensorSet(data, 'vertical.json', plantedImages('vertical', 30, 1));
    writeTensorSet(data, 'flat.json', plantedImages('flat', 30, 2));
    writeTensorSet(data, 'noise.json', plantedImages('noise', 30, 3));
    writeTensorSet(data, 'inputs.json', plantedImages('noise', 20, 4));
    writeTensorSet(data, 'pool.json', plantedImages('noise', 200, 5));
    for (let i = 0; i < 20; i++) writeTensorSet(data, `random/set-${String(i).padStart(2, '0')}.json`, plantedImages('noise', 30, 100 + i));
  });
  after(() => engine.dispose());

  const run = (modelPath: string, layers: string[], random: string, extra: object = {}): Promise<TcavResult> =>
    engine.run('tcav', { modelPath, class: 0, layers, concepts: concepts(data), random, inputs: path.join(data, 'inputs.json'), ...extra }, quietContext());

  function assertPlanted(result: TcavResult, layers: string[], sameDistribution: string): void {
    for (const layer of layers) {
      const at = (concept: string) => result.results.find((r) => r.concept === concept && r.layer === layer)!;
      const [vertical, flat, noise] = [at('vertical'), at('flat'), at('noise')];
      assert.ok(vertical.score >= 0.95 && vertical.significant, `${layer} vertical: ${vertical.score}, p ${vertical.pValue}`);
      assert.ok(flat.score <= 0.05 && flat.significant, `${layer} flat: ${flat.score}, p ${flat.pValue}`);
      if (layer === sameDistribution) assert.ok(!noise.significant, `${layer} noise: ${noise.score}, p ${noise.pValue}`);
      for (const r of [vertical, flat]) assert.ok(r.cavAccuracy >= 0.9, `${layer} ${r.concept}: CAV accuracy ${r.cavAccuracy}`);
      for (const r of [vertical, flat, noise]) {
        assert.strictEqual(r.scores.length, result.randomSets.runs);
        assert.ok(Number.isFinite(r.pValue) && Number.isFinite(r.std) && Number.isFinite(r.magnitude));
      }
    }
  }

  it('layers model, a folder of 20 random sets: vertical ≥ 0.95 and flat ≤ 0.05, both significant; noise not at the detector', async () => {
    const before = tf.memory().numTensors;
    const result = await run(layersPath, ['detector', 'gap'], path.join(data, 'random'));
    assertPlanted(result, ['detector', 'gap'], 'detector');
    assert.deepStrictEqual(result.randomSets, { path: path.join(data, 'random'), kind: 'sets', runs: 20, size: 30 });
    assert.deepStrictEqual(result.random.map((r) => [r.layer, r.scores.length]), [['detector', 20], ['gap', 20]]);
    assert.strictEqual(result.gradientOf, 'logit');
    assert.deepStrictEqual([result.class, result.classIndex, result.tests, result.alpha], ['0', 0, 6, 0.05]);
    assert.deepStrictEqual(result.classInputs, { path: path.join(data, 'inputs.json'), count: 20, filtered: false });
    assert.strictEqual(result.options.runs, 20);
    assert.strictEqual(result.cached, false);
    engine.dispose(); // the caches hold the sets' activations on purpose
    await engine.useBackend('wasm');
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('the graph twin at its nodes gives the same scores, from a pool of 200 drawn 20 times', async () => {
    const fromGraph = await run(graphPath, ['detector/Relu', 'gap'], path.join(data, 'pool.json'));
    assertPlanted(fromGraph, ['detector/Relu', 'gap'], 'detector/Relu');
    assert.deepStrictEqual(fromGraph.randomSets, { path: path.join(data, 'pool.json'), kind: 'pool', runs: 20, size: 30 });
    const fromLayers = await run(layersPath, ['detector', 'gap'], path.join(data, 'pool.json'));
    assert.deepStrictEqual(
      fromGraph.results.map((r) => r.scores),
      fromLayers.results.map((r) => r.scores),
    );
  });

  it('a second request on the same sets reads its activations and gradients from the cache, with the same numbers', async () => {
    const first = await run(layersPath, ['gap'], path.join(data, 'random'), { runs: 4 });
    const second = await run(layersPath, ['gap'], path.join(data, 'random'), { runs: 4 });
    assert.strictEqual(second.cached, true);
    assert.deepStrictEqual(second.results, first.results);
  });

  it('Bonferroni divides alpha by concepts × layers; the concept order changes no score', async () => {
    const result = await run(layersPath, ['gap'], path.join(data, 'random'), { bonferroni: true, alpha: 0.06 });
    assert.ok(Math.abs(result.alpha - 0.02) < 1e-15);
    const reordered = await engine.run('tcav', { modelPath: layersPath, class: 0, layers: ['gap'], concepts: concepts(data).reverse(), random: path.join(data, 'random'), inputs: path.join(data, 'inputs.json') }, quietContext());
    for (const r of reordered.results) assert.deepStrictEqual(r.scores, result.results.find((x) => x.concept === r.concept)!.scores);
  });

  it('cancelling halfway through the CAVs stops the request with an AbortError and leaves no tensors', async () => {
    engine.dispose();
    await engine.useBackend('wasm');
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    let trained = 0;
    const ctx = {
      signal: abort.signal,
      onProgress: (done: number, total: number, message?: string) => {
        if (message === 'Training CAVs' && (trained = done) === Math.floor(total / 2)) abort.abort();
      },
    };
    const params = { modelPath: layersPath, class: 0, layers: ['detector', 'gap'], concepts: concepts(data), random: path.join(data, 'pool.json'), inputs: path.join(data, 'inputs.json') };
    await assert.rejects(engine.run('tcav', params, ctx), { name: 'AbortError' });
    assert.ok(trained > 0 && trained < 160, `stopped after ${trained} of 160 CAVs`);
    engine.dispose();
    await engine.useBackend('wasm');
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  });

  it('bad requests: unknown layers list the model\'s layers; the output layer, one random set, empty concepts and unknown classes are refused', async () => {
    await rejectsLens(() => run(layersPath, ['conv9'], path.join(data, 'random')), 'BAD_REQUEST', "no layer named 'conv9'", 'detector, gap, head');
    await rejectsLens(() => run(graphPath, ['nope'], path.join(data, 'random')), 'BAD_REQUEST', "no node named 'nope'", 'detector/Conv2D, detector/Relu, gap');
    await rejectsLens(() => run(layersPath, ['head'], path.join(data, 'random')), 'BAD_REQUEST', "'head' is the model's output");
    const one = tempDir();
    writeTensorSet(one, 'only/a.json', plantedImages('noise', 10, 9));
    await rejectsLens(() => run(layersPath, ['gap'], path.join(one, 'only')), 'INVALID_INPUT', 'at least 2');
    const empty = tempDir();
    await rejectsLens(
      () => engine.run('tcav', { modelPath: layersPath, class: 0, layers: ['gap'], concepts: [{ name: 'striped', path: empty }], random: path.join(data, 'random'), inputs: path.join(data, 'inputs.json') }, quietContext()),
      'INVALID_INPUT',
      "concept 'striped'",
      'holds no examples',
    );
    await rejectsLens(
      () => engine.run('tcav', { modelPath: layersPath, class: 0, layers: ['gap'], concepts: [{ name: 'striped', path: path.join(empty, 'missing') }], random: path.join(data, 'random'), inputs: path.join(data, 'inputs.json') }, quietContext()),
      'FILE_NOT_FOUND',
      "concept 'striped' not found",
    );
    await rejectsLens(() => run(layersPath, ['gap'], path.join(data, 'random'), { class: 'zebra' }), 'BAD_REQUEST', "No class named 'zebra'");
    await rejectsLens(() => run(layersPath, ['gap'], path.join(data, 'random'), { class: 5 }), 'BAD_REQUEST', 'out of range');
  });
});
