/**
 * The host's concept pieces that run without VS Code: layer names read from a model.json's
 * topology (for hovers: against the engine's own summary of every example layers model), the
 * latest scores kept per layer, and a layer hover's wording of them.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../../../src/engine/engine';
import { quietContext } from '../../../src/engine/common/context';
import { ConceptScores } from '../../../src/extension/concepts/conceptScores';
import { layerHoverMarkdown } from '../../../src/extension/concepts/layerHoverText';
import { topologyLayers } from '../../../src/extension/concepts/topologyLayers';
import type { ProbeResult, TcavResult, TcavScore } from '../../../src/protocol/concepts';

const EXAMPLES = path.join(__dirname, '../../../../examples');

const score = (concept: string, layer: string, s: Partial<TcavScore> = {}): TcavScore => ({
  concept,
  layer,
  score: 0.5,
  scores: [0.5],
  std: 0,
  magnitude: 0.5,
  magnitudes: [0.5],
  pValue: 0.5,
  significant: false,
  cavAccuracy: 0.9,
  cavAccuracies: [0.9],
  cavNearChance: false,
  runs: 5,
  conceptSize: 50,
  ...s,
});

function tcav(cls: string, layers: string[], results: TcavScore[]): TcavResult {
  return {
    class: cls,
    classIndex: 0,
    results,
    random: layers.map((layer) => ({ layer, scores: [0.4, 0.42], score: 0.41, std: 0.37, magnitudes: [], cavAccuracy: 0.51 })),
    alpha: 0.05,
    randomSets: { path: '/r', kind: 'sets', runs: 5, size: 50 },
  } as unknown as TcavResult;
}

describe('extension/concepts: layer names, kept scores and hovers', () => {
  it("reads every layers model's layer names and classes from its topology as the engine's summary lists them", async function () {
    this.timeout(120_000);
    const engine = new Engine(() => {}, { helper: false });
    await engine.useBackend('cpu');
    try {
      let checked = 0;
      for (const name of fs.readdirSync(EXAMPLES)) {
        const file = path.join(EXAMPLES, name, 'model.json');
        if (!fs.existsSync(file)) continue;
        const json = JSON.parse(fs.readFileSync(file, 'utf8'));
        if (json.format === 'graph-model') {
          assert.deepStrictEqual(topologyLayers(json), [], `${name}: a graph model declares nodes, not layers`);
          continue;
        }
        const summary = await engine.run('info', { modelPath: file }, quietContext());
        assert.deepStrictEqual(topologyLayers(json), summary.layers.map((l) => ({ name: l.name, className: l.className })), name);
        checked++;
      }
      assert.ok(checked >= 4, `only ${checked} layers models among the examples`);
    } finally {
      engine.dispose();
    }
  });

  it('reads nested models and Keras model_config wrappers; anything else declares nothing', () => {
    const nested = { modelTopology: { model_config: { class_name: 'Model', config: { layers: [{ class_name: 'Sequential', config: { name: 'backbone', layers: [{ class_name: 'Conv2D', config: { name: 'conv2' } }] } }, { class_name: 'Dense', config: { name: 'head' } }] } } } };
    assert.deepStrictEqual(topologyLayers(nested), [
      { name: 'backbone', className: 'Sequential' },
      { name: 'conv2', className: 'Conv2D' },
      { name: 'head', className: 'Dense' },
    ]);
    for (const bad of [null, 7, 'x', [], {}, { modelTopology: 3 }, { modelTopology: { config: { layers: 'no' } } }, { modelTopology: { config: { layers: [null, 3, { config: {} }] } } }]) {
      assert.deepStrictEqual(topologyLayers(bad), [], JSON.stringify(bad));
    }
  });

  it('keeps the newest TCAV result and probe per layer: a later run of one layer leaves the others as they were', () => {
    const scores = new ConceptScores();
    scores.putTcav('/m/model.json', tcav('zebra', ['conv2', 'dense1'], [score('striped', 'conv2', { score: 1 }), score('striped', 'dense1', { score: 0.9 })]), 1000);
    scores.putTcav('/m/model.json', tcav('horse', ['conv2'], [score('striped', 'conv2', { score: 0 })]), 2000);
    // An older result (a restored history) does not replace a newer one.
    scores.putTcav('/m/model.json', tcav('field', ['conv2', 'dense1'], [score('striped', 'conv2'), score('striped', 'dense1')]), 500);
    assert.strictEqual(scores.get('/m/model.json', 'conv2')?.tcav?.class, 'horse');
    assert.deepStrictEqual(scores.get('/m/model.json', 'conv2')?.tcav?.scores.map((s) => s.score), [0]);
    assert.strictEqual(scores.get('/m/model.json', 'dense1')?.tcav?.class, 'zebra');
    assert.deepStrictEqual(scores.get('/m/model.json', 'dense1')?.tcav?.scores.map((s) => [s.layer, s.score]), [['dense1', 0.9]]);
    scores.putProbe('/m/model.json', { layers: [{ layer: 'conv2', features: 4, accuracy: 0.9, controlAccuracy: 0.5, selectivity: 0.4 }], data: { path: '/d', labels: ['a', 'b'], examples: 9, read: 9 } } as unknown as ProbeResult, 3000);
    assert.strictEqual(scores.get('/m/../m/model.json', 'conv2')?.probe?.layer.accuracy, 0.9, 'paths are compared resolved');
    assert.strictEqual(scores.get('/m/model.json', 'conv2')?.tcav?.class, 'horse', 'a probe keeps the TCAV scores');
    assert.strictEqual(scores.get('/m/model.json', 'pool1'), undefined);
    assert.strictEqual(scores.get('/other/model.json', 'conv2'), undefined);
  });

  it("a layer hover says the layer's shape and its latest scores: score ± std, p-value, verdict, near-chance CAVs, the baseline, the logit", () => {
    const now = 10 * 60_000;
    const scores = new ConceptScores();
    scores.putTcav(
      '/m/model.json',
      tcav('zebra', ['conv2'], [score('striped', 'conv2', { score: 1, std: 0, pValue: 0.0123456, significant: true, cavAccuracy: 0.99 }), score('shaded', 'conv2', { score: 0.48, std: 0.378, pValue: 0.79, cavAccuracy: 0.57, cavNearChance: true })]),
      now - 3 * 60_000,
    );
    const match = { modelPath: '/m/model.json', layer: { name: 'conv2', className: 'Conv2D', outputShape: [[null, 13, 13, 16]], params: 1168 }, loaded: true };
    const md = layerHoverMarkdown({ match, modelLabel: 'm/model.json', scores: scores.get('/m/model.json', 'conv2'), testLink: 'command:x' }, now);
    assert.match(md, /layer `conv2` · Conv2D · output \\\[\?, 13, 13, 16\\\] · 1,168 parameters/);
    assert.match(md, /TCAV for class \*\*zebra\*\* · 5 runs · 3 min ago · S: the derivative of the class logit/);
    assert.match(md, /\| striped \| 1\.00 ± 0\.00 \| 0\.0123 \| \*\*significant\*\* · CAV 0\.99 \|/);
    assert.match(md, /\| shaded \| 0\.48 ± 0\.38 \| 0\.79 \| not significant · CAV near chance \(0\.57\) \|/);
    assert.match(md, /\| \*random\* \| 0\.41 ± 0\.37 \| \| baseline \|/);
    assert.match(md, /\[\$\(beaker\) Test concepts at conv2\]\(command:x /);
    // A model only declared in the workspace: no shape, and nothing measured yet.
    const declared = layerHoverMarkdown({ match: { modelPath: '/n/model.json', layer: { name: 'conv2', className: 'Conv2D' }, loaded: false }, modelLabel: 'n/model.json', testLink: 'command:x' }, now);
    assert.match(declared, /open it in Model Lens to see the layer's output shape/);
    assert.match(declared, /No concept scores for this layer yet\./);
    assert.doesNotMatch(declared, /TCAV for class/);
  });
});
