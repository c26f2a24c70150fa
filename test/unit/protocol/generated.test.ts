import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { GENERATED, generatePackageJson, learningRateBounds, memoryBudgetSetting } from '../../../scripts/lib/generatedSchemas';
import { parse } from '../../../src/engine/checkpoint/sidecar';
import { learningRateSchema } from '../../../src/protocol/options/influence';

const ROOT = path.join(__dirname, '../../../..');

describe('files generated from the option schemas (npm run generate)', () => {
  for (const { file, generate } of GENERATED) {
    it(`${file} agrees with the option schemas`, () => {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      assert.ok(generate(text) === text, `${file} disagrees with src/protocol/options: run npm run generate`);
    });
  }

  it("the memory-budget setting's default and bounds are the saliency option's", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const setting = pkg.contributes.configuration.properties['modelLens.memoryBudgetMB'];
    assert.deepStrictEqual({ default: setting.default, minimum: setting.minimum, maximum: setting.maximum }, memoryBudgetSetting());
    assert.deepStrictEqual(memoryBudgetSetting(), { default: 1500, minimum: 64, maximum: 3000 });
    // A stale value is what the check catches.
    const stale = JSON.stringify({ ...pkg, contributes: { ...pkg.contributes, configuration: { ...pkg.contributes.configuration, properties: { ...pkg.contributes.configuration.properties, 'modelLens.memoryBudgetMB': { ...setting, maximum: 4000 } } } } });
    assert.notStrictEqual(generatePackageJson(stale), stale);
  });

  it("the sidecar's learning rates are bounded as the influence request's", () => {
    assert.deepStrictEqual(learningRateBounds(), { exclusiveMinimum: 0, maximum: 1e6 });
    const sidecar = (learningRate: number) => JSON.stringify({ data: { checkpoints: [{ path: 'c/model.json', learningRate }] } });
    for (const rate of [1e-6, 0.1, 1e6]) {
      assert.ok(learningRateSchema.safeParse(rate).success);
      assert.doesNotThrow(() => parse(sidecar(rate), 'x.lens.json'), String(rate));
    }
    for (const rate of [0, -1, 2e6]) {
      assert.ok(!learningRateSchema.safeParse(rate).success);
      assert.throws(() => parse(sidecar(rate), 'x.lens.json'), /learningRate/, String(rate));
    }
  });
});
