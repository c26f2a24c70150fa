/** Which models a CSV belongs to (for CodeLenses and Find Counterfactual), from the example sidecars. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { catalogEntry, modelsTakingCsv, rowProblem, sidecarOf } from '../../../src/extension/workspace/sidecarInputs';
import { ROOT } from '../../helpers/cli';

const EXAMPLES = path.join(ROOT, 'examples');
const entry = (name: string) => {
  const modelPath = path.join(EXAMPLES, name, 'model.json');
  return catalogEntry(modelPath, JSON.parse(fs.readFileSync(sidecarOf(modelPath), 'utf8')));
};

describe('extension/workspace/sidecarInputs: the models a CSV belongs to', () => {
  const penguins = entry('penguins-logreg');
  const iris = entry('iris-mlp');
  const mnist = entry('mnist-cnn');
  const models = [mnist, iris, penguins];

  it('reads kind, features and data files from a sidecar', () => {
    assert.strictEqual(penguins.kind, 'tabular');
    assert.strictEqual(penguins.features?.length, 9);
    assert.ok(penguins.dataFiles.includes(path.join(EXAMPLES, 'penguins-logreg/data/test.csv')));
    assert.ok(penguins.dataFiles.includes(path.join(EXAMPLES, 'penguins-logreg/samples/adelie.csv')));
    assert.strictEqual(mnist.kind, 'image');
    assert.deepStrictEqual(catalogEntry('/m/model.json', undefined), { modelPath: '/m/model.json', dataFiles: [] });
    assert.deepStrictEqual(catalogEntry('/m/model.json', { input: { kind: 'nope', features: [1] }, data: { samples: 'x' } }), { modelPath: '/m/model.json', dataFiles: [] });
  });

  it('a sidecar that names the file, else a header with every feature; never an image model', () => {
    const test = path.join(EXAMPLES, 'penguins-logreg/data/test.csv');
    const header = fs.readFileSync(test, 'utf8').split('\n')[0].split(',');
    assert.deepStrictEqual(modelsTakingCsv(models, test, header).map((m) => m.modelPath), [penguins.modelPath]);
    // Elsewhere, with the penguins' columns (any order, more columns): the header decides.
    assert.deepStrictEqual(modelsTakingCsv(models, '/tmp/other.csv', ['extra', ...[...header].reverse()]), [penguins]);
    assert.deepStrictEqual(modelsTakingCsv(models, '/tmp/other.csv', header.slice(1)), []);
    const irisTrain = path.join(EXAMPLES, 'iris-mlp/data/train.csv');
    const irisHeader = fs.readFileSync(irisTrain, 'utf8').split('\n')[0].split(',');
    assert.deepStrictEqual(modelsTakingCsv(models, irisTrain, irisHeader), [iris]);
  });

  it('says which column keeps a row from being the input', () => {
    const header = penguins.features!;
    const cells = ['39.5', '17.4', '186', '3800', '0', '0', '1', '1', '0'];
    assert.strictEqual(rowProblem(penguins, header, cells), null);
    assert.strictEqual(rowProblem(penguins, header, cells.map((c, i) => (i === 3 ? ' ' : c))), 'column "body_mass_g": is empty');
    assert.strictEqual(rowProblem(penguins, header, cells.map((c, i) => (i === 0 ? 'NA' : c))), 'column "beak_length_mm": "NA" is not a number');
    assert.strictEqual(rowProblem(penguins, header.slice(2), cells.slice(2)), 'its header lacks the feature columns "beak_length_mm", "beak_depth_mm"');
  });
});
