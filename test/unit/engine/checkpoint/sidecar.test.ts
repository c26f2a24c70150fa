import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { labelWarnings, parse, readSidecar, requireSidecar, sidecarPath } from '../../../../src/engine/checkpoint/sidecar';
import type { OutputSpec, TensorSpec } from '../../../../src/protocol/model';
import schema from '../../../../media/lens.schema.json';
import { LensError } from '../../../../src/engine/errors';
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

  it('rejects invalid fields with the path of the field; an unknown key with the nearest the schema allows there', () => {
    assert.throws(() => parse(JSON.stringify({ input: { kind: 'audio' } }), 'model.lens.json'), /model\.lens\.json: \/input\/kind must be equal to one of the allowed values: "image", "tabular", "text", "tensor"/);
    assert.throws(() => parse(JSON.stringify({ lables: [] }), 'model.lens.json'), /unknown key 'lables' at \/ — did you mean 'labels'\?/);
    assert.throws(() => parse(JSON.stringify({ input: { kind: 'image', sclae: 1 } }), 'model.lens.json'), /unknown key 'sclae' at \/input — did you mean 'scale'\?/);
    assert.throws(() => parse(JSON.stringify({ output: { knid: 'sigmoid' } }), 'model.lens.json'), /unknown key 'knid' at \/output — did you mean 'kind'\?/);
    assert.throws(() => parse(JSON.stringify({ zzzzzzzz: 1 }), 'model.lens.json'), /unknown key 'zzzzzzzz' at \/ \(allowed: \$schema, description, input, labels/);
    assert.throws(() => parse('{"input": ', 'model.lens.json'), /not valid JSON/);
  });

  it('an invalid sidecar is never a silent fallback: a warning for info, an error for requests that need it', () => {
    const { info, warnings } = readSidecar(withSidecar({ input: { kind: 'image', channels: 2 } }), image);
    assert.strictEqual(info.path, null);
    assert.match(info.error ?? '', /\/input\/channels/);
    assert.match(warnings[0], /\/input\/channels.*predict, saliency and influence refuse to run/);
    assert.throws(() => requireSidecar(info), (err: unknown) => err instanceof LensError && err.code === 'INVALID_SIDECAR' && /\/input\/channels/.test(err.message));
    assert.doesNotThrow(() => requireSidecar(readSidecar(path.join(tempDir(), 'model.json'), image).info), 'no sidecar at all is fine');
  });

  it("every key the schema defines is accepted, so keys other capabilities add to media/lens.schema.json are known", () => {
    const sample = (def: { type?: string; enum?: unknown[]; items?: { type?: string } }): unknown =>
      def.enum ? def.enum[0] : def.type === 'array' ? [] : def.type === 'object' ? {} : def.type === 'number' || def.type === 'integer' ? 1 : def.type === 'boolean' ? true : 'x';
    const top = schema.properties as Record<string, { type?: string }>;
    for (const [key, def] of Object.entries(top)) {
      if (key === 'input') continue;
      assert.doesNotThrow(() => parse(JSON.stringify({ [key]: sample(def) }), 'model.lens.json'), key);
    }
    for (const [key, def] of Object.entries(schema.properties.input.properties as Record<string, { type?: string }>)) {
      if (key === 'kind' || key === 'size') continue;
      assert.doesNotThrow(() => parse(JSON.stringify({ input: { kind: 'tabular', [key]: sample(def) } }), 'model.lens.json'), `input.${key}`);
    }
  });

  it('warns when labels or features disagree with the model, or data paths do not exist', () => {
    const model = withSidecar({ input: { kind: 'tabular', features: ['a', 'b'] }, labels: ['x', 'y'], data: { train: 'missing.csv' } });
    const { warnings } = readSidecar(model, tabular);
    assert.ok(warnings.some((w) => /2 features but the model takes 4/.test(w)));
    assert.ok(warnings.some((w) => /'missing\.csv', which does not exist/.test(w)));
    const head = (shape: (number | null)[], kind: OutputSpec['kind']): OutputSpec => ({ name: 'y', shape, dtype: 'float32', kind, kindReason: '', activation: 'linear' });
    assert.deepStrictEqual(labelWarnings([head([null, 3], 'softmax')], () => ['x', 'y'], 'model.lens.json'), ['model.lens.json lists 2 labels but the model has 3 outputs.']);
    assert.deepStrictEqual(labelWarnings([head([null, 1], 'sigmoid')], () => ['x', 'y'], 'model.lens.json'), [], 'a sigmoid unit has two classes');
    assert.match(labelWarnings([head([null, 1], 'sigmoid')], () => ['x'], 'model.lens.json')[0], /a sigmoid unit has 2 classes/);
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
