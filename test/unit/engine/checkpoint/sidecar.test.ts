import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parse, readSidecar, sidecarPath } from '../../../../src/engine/checkpoint/sidecar';
import type { TensorSpec } from '../../../../src/protocol/model';
import { tempDir } from '../../../helpers/tempDir';

const spec = (shape: (number | null)[], dtype = 'float32'): TensorSpec => ({ name: 'x', shape, dtype });
const image = { inputs: [spec([null, 28, 28, 1])], outputs: [spec([null, 10])] };
const tabular = { inputs: [spec([null, 4])], outputs: [spec([null, 3])] };

function withSidecar(content: unknown): string {
  const dir = tempDir();
  const model = path.join(dir, 'model.json');
  fs.writeFileSync(sidecarPath(model), typeof content === 'string' ? content : JSON.stringify(content));
  return model;
}

describe('checkpoint/sidecar', () => {
  it('lives beside the checkpoint as <name>.lens.json', () => {
    assert.strictEqual(sidecarPath('/m/model.json'), path.join('/m', 'model.lens.json'));
    assert.strictEqual(sidecarPath('/m/mnist.json'), path.join('/m', 'mnist.lens.json'));
  });

  it('reads a valid sidecar and resolves nothing it does not need', () => {
    const model = withSidecar({ input: { kind: 'image', size: [28, 28], channels: 1, scale: 1 / 255 }, labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'] });
    const { info, warnings } = readSidecar(model, image);
    assert.strictEqual(info.path, sidecarPath(model));
    assert.deepStrictEqual(info.sidecar.input?.size, [28, 28]);
    assert.deepStrictEqual(warnings, []);
    assert.deepStrictEqual(info.missing, ['Training data (data.train): needed for influence analyses.']);
  });

  it('infers an image input from an NHWC shape when there is no sidecar, and says what is missing', () => {
    const { info } = readSidecar(path.join(tempDir(), 'model.json'), image);
    assert.strictEqual(info.path, null);
    assert.deepStrictEqual(info.sidecar.input, { kind: 'image', size: [28, 28], channels: 1, scale: 1 / 255 });
    assert.ok(info.missing.some((m) => /No model\.lens\.json/.test(m)));
    assert.ok(info.missing.some((m) => /Class labels/.test(m)));
  });

  it('infers tabular for rank-2 float inputs and text for rank-2 int inputs', () => {
    assert.strictEqual(readSidecar(path.join(tempDir(), 'model.json'), tabular).info.sidecar.input?.kind, 'tabular');
    const text = { inputs: [spec([null, 16], 'int32')], outputs: [spec([null, 2])] };
    assert.strictEqual(readSidecar(path.join(tempDir(), 'model.json'), text).info.sidecar.input?.kind, 'text');
  });

  it('rejects invalid fields with the path of the field, and falls back to inference with a warning', () => {
    assert.throws(() => parse(JSON.stringify({ input: { kind: 'audio' } }), 'model.lens.json'), /model\.lens\.json: \/input\/kind must be equal to one of the allowed values/);
    assert.throws(() => parse(JSON.stringify({ labelz: [] }), 'model.lens.json'), /unknown field 'labelz'/);
    assert.throws(() => parse('{"input": ', 'model.lens.json'), /not valid JSON/);
    const { info, warnings } = readSidecar(withSidecar({ input: { kind: 'image', channels: 2 } }), image);
    assert.strictEqual(info.path, null);
    assert.match(warnings[0], /\/input\/channels.*Using inferred settings instead/);
  });

  it('warns when labels or features disagree with the model, or data paths do not exist', () => {
    const model = withSidecar({ input: { kind: 'tabular', features: ['a', 'b'] }, labels: ['x', 'y'], data: { train: 'missing.csv' } });
    const { warnings } = readSidecar(model, tabular);
    assert.ok(warnings.some((w) => /2 labels but the model has 3 outputs/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /2 features but the model takes 4/.test(w)));
    assert.ok(warnings.some((w) => /'missing\.csv', which does not exist/.test(w)));
  });

  it('counterfactual constraints and one-hot groups are read, and a column input.features does not list is named', () => {
    const input = { kind: 'tabular', features: ['a', 'b', 'c', 'd'], constraints: { a: { immutable: true }, e: { min: 0 } }, categorical: [['c', 'd'], ['f', 'g']] };
    const { info, warnings } = readSidecar(withSidecar({ input }), tabular);
    assert.deepStrictEqual(info.sidecar.input, input);
    assert.deepStrictEqual(warnings.filter((w) => /not in input\.features/.test(w)).map((w) => /'(\w)'/.exec(w)![1]), ['e', 'f', 'g']);
  });

  it("TCAV's data.concepts and data.random are read, and a missing one is named", () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'concepts/striped'), { recursive: true });
    const model = path.join(dir, 'model.json');
    fs.writeFileSync(sidecarPath(model), JSON.stringify({ data: { concepts: { striped: 'concepts/striped', dotted: 'concepts/dotted' }, random: 'random' } }));
    const { info, warnings } = readSidecar(model, image);
    assert.deepStrictEqual(info.sidecar.data, { concepts: { striped: 'concepts/striped', dotted: 'concepts/dotted' }, random: 'random' });
    assert.deepStrictEqual(warnings.filter((w) => /does not exist/.test(w)).length, 2, warnings.join('\n'));
    assert.ok(warnings.some((w) => /'concepts\/dotted', which does not exist/.test(w)));
    assert.ok(warnings.some((w) => /'random', which does not exist/.test(w)));
    assert.throws(() => parse(JSON.stringify({ data: { random: ['a'] } }), 'model.lens.json'), /\/data\/random must be string/);
  });

  it('the contributed JSON schema is the one the engine validates with', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../../package.json'), 'utf8'));
    const contributed = pkg.contributes.jsonValidation.find((v: { fileMatch: string }) => v.fileMatch === '*.lens.json');
    assert.strictEqual(contributed.url, './media/lens.schema.json');
  });
});
