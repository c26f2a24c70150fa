/**
 * The ICL prompt spec's JSON Schema as VS Code uses it (contributed for *.icl.json, checked here
 * with Ajv like any JSON Schema client), and the icl request at the engine's boundary: defaults
 * applied, the API key kept apart from the options.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { checkParams } from '../../../src/engine/params';
import { rejectsLens } from '../../helpers/assertLens';

const ROOT = path.join(__dirname, '../../../..');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/icl.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

describe('protocol/icl: the prompt spec schema and the icl request', () => {
  it('package.json has VS Code validate *.icl.json with media/icl.schema.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.ok(pkg.contributes.jsonValidation.some((v: { fileMatch: string; url: string }) => v.fileMatch === '*.icl.json' && v.url === './media/icl.schema.json'));
  });

  it('the schema accepts the example spec and refuses a demonstration without a label, naming where', () => {
    const spec: object = JSON.parse(fs.readFileSync(path.join(ROOT, 'examples/tiny-decoder/sentiment.icl.json'), 'utf8'));
    assert.ok(validate(spec), JSON.stringify(validate.errors));
    assert.ok(!validate({ ...spec, demonstrations: [{ input: 'x' }] }));
    assert.ok(validate.errors!.some((e) => e.instancePath === '/demonstrations/0' && e.message === "must have required property 'label'"));
    assert.ok(!validate({ ...spec, template: 'no placeholders' }));
  });

  it('checkParams applies the defaults and keeps the API key out of the options', () => {
    const params = checkParams('icl', { specPath: 's.icl.json', provider: 'openai:http://127.0.0.1:1/v1', apiKey: 'k' });
    const { apiKey, ...options } = params;
    assert.strictEqual(apiKey, 'k');
    assert.deepStrictEqual(options, {
      specPath: path.resolve('s.icl.json'), provider: 'openai:http://127.0.0.1:1/v1', variants: ['original', 'flipped'], topLogprobs: 5, timeout: 60, concurrency: 4,
    });
    assert.strictEqual(checkParams('icl', { specPath: 's', provider: 'local:m/model.json' }).provider, `local:${path.resolve('m/model.json')}`);
  });

  it('refuses a malformed key, and a key for any other request', async () => {
    await rejectsLens(() => checkParams('icl', { specPath: 's', provider: 'openai:http://h', apiKey: 'a\nb' }), 'BAD_REQUEST', 'apiKey must be a non-empty string on one line');
    await rejectsLens(() => checkParams('info', { modelPath: 'm', apiKey: 'k' }), 'BAD_REQUEST', 'apiKey is not an option of info');
  });
});
