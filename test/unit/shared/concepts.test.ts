/**
 * What the concept charts and hovers read from results (src/shared/concepts.ts): a TCAV result as a
 * concept × layer grid beside each layer's baseline, the layers offered for TCAV, p-values in words.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { TcavResult, TcavScore } from '../../../src/protocol/concepts';
import type { ModelSummary } from '../../../src/protocol/model';
import { conceptLayers, defaultConceptLayers, formatP, tcavGrid } from '../../../src/shared/concepts';

const score = (concept: string, layer: string, value: number): TcavScore => ({
  concept,
  layer,
  score: value,
  scores: [value],
  std: 0,
  magnitude: value,
  magnitudes: [value],
  pValue: 0.5,
  significant: false,
  cavAccuracy: 0.9,
  cavAccuracies: [0.9],
  cavNearChance: false,
  runs: 1,
  conceptSize: 3,
});

describe('shared/concepts: TCAV results for charts and hovers', () => {
  it('tcavGrid: layers in the order asked, one row per concept, each cell the score of that concept at that layer', () => {
    // Results listed concept-major, one layer missing for 'b': the grid must not shift it into a's column.
    const results = [score('a', 'l1', 0.1), score('a', 'l2', 0.2), score('b', 'l2', 0.4)];
    const random = [
      { layer: 'l1', scores: [0.3, 0.5], score: 0.4, std: 0.1, magnitudes: [], cavAccuracy: 0.5 },
      { layer: 'l2', scores: [0.6], score: 0.6, std: 0, magnitudes: [], cavAccuracy: 0.5 },
    ];
    const grid = tcavGrid({ results, random } as unknown as TcavResult);
    assert.deepStrictEqual(grid.layers, ['l1', 'l2']);
    assert.deepStrictEqual(grid.concepts.map((c) => c.name), ['a', 'b']);
    assert.deepStrictEqual(grid.concepts.map((c) => c.cells.map((s) => s?.score)), [[0.1, 0.2], [undefined, 0.4]]);
    assert.deepStrictEqual(grid.baseline, [{ score: 0.4, std: 0.1 }, { score: 0.6, std: 0 }]);
  });

  it("offers every layer but the output, and first the last two with weights (concepts-cnn: conv2 and dense1, as its README's example)", () => {
    const model = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../examples/concepts-cnn/model.json'), 'utf8'));
    // The layers as the engine's summary lists them (names, classes, parameters from the topology and weights manifest).
    const params: Record<string, number> = { conv1: 80, conv2: 1168, dense1: 18464, probs: 99 };
    const layers = (model.modelTopology.config.layers as { class_name: string; config: { name: string } }[]).map((l) => ({ name: l.config.name, className: l.class_name, outputShape: [], params: params[l.config.name] ?? 0 }));
    const summary = { layers, outputs: [{ name: 'probs' }] } as unknown as ModelSummary;
    assert.deepStrictEqual(conceptLayers(summary).map((l) => l.name), ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1']);
    assert.deepStrictEqual(defaultConceptLayers(summary), ['conv2', 'dense1']);
    // A graph model names its output by tensor ('Identity:0'); layers without weights: the last two.
    const graph = { layers: [{ name: 'a', params: 0 }, { name: 'b', params: 0 }, { name: 'c', params: 0 }, { name: 'Identity', params: 0 }], outputs: [{ name: 'Identity:0' }] } as unknown as ModelSummary;
    assert.deepStrictEqual(defaultConceptLayers(graph), ['b', 'c']);
    assert.deepStrictEqual(defaultConceptLayers(undefined), []);
  });

  it('p-values in three significant digits, truncated so they compare with α as the test did; small ones in exponent form', () => {
    assert.deepStrictEqual([0.012345, 0.5, 1, 0, 0.00031, 0.049999, 0.0125, 0.3, 0.000299].map(formatP), ['0.0123', '0.5', '1', '0', '3.1e-4', '0.0499', '0.0125', '0.3', '2.9e-4']);
  });
});
