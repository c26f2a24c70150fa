import * as assert from 'assert';
import { fieldSpecs, OptionError, panelFields, parseOptions } from '../../../src/protocol/options';

const paths = { modelPath: '/m/model.json', inputPath: '/m/x.png' };

function refusal(fn: () => unknown): OptionError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof OptionError, String(err));
    return err;
  }
  assert.fail('expected an OptionError');
}

describe('option schemas (src/protocol/options)', () => {
  it("applies the defaults of the options that apply to the method, and only those", () => {
    const ig = parseOptions('saliency', { ...paths, method: 'integrated-gradients' });
    assert.strictEqual(ig.steps, 64);
    assert.deepStrictEqual(ig.baseline, { kind: 'zeros' });
    assert.strictEqual(ig.samples, undefined);
    const sg = parseOptions('saliency', { ...paths, method: 'smoothgrad' });
    assert.deepStrictEqual([sg.samples, sg.noise, sg.smoothVariant, sg.steps], [25, 0.15, 'smoothgrad', undefined]);
    assert.strictEqual(parseOptions('influence', { modelPath: '/m', method: 'self' }).top, 10);
  });

  it('names the option and its bounds, from the one definition', () => {
    const e = refusal(() => parseOptions('saliency', { ...paths, method: 'integrated-gradients', steps: 0 }));
    assert.strictEqual(e.key, 'steps');
    assert.strictEqual(e.problem, 'must be an integer from 1 to 10000.');
    const spec = fieldSpecs('saliency').find((f) => f.key === 'steps')!;
    assert.deepStrictEqual([spec.min, spec.max, spec.default], [1, 10000, 64]);
    for (const steps of [1, 10000]) assert.strictEqual(parseOptions('saliency', { ...paths, method: 'integrated-gradients', steps }).steps, steps);
    assert.strictEqual(refusal(() => parseOptions('saliency', { ...paths, method: 'integrated-gradients', steps: 2.5 })).key, 'steps');
  });

  it("refuses an option that does not apply to the method", () => {
    const e = refusal(() => parseOptions('saliency', { ...paths, method: 'grad-cam', window: 3 }));
    assert.strictEqual(e.message, 'window applies to occlusion, not grad-cam.');
    assert.strictEqual(refusal(() => parseOptions('influence', { modelPath: '/m', method: 'self', inputPath: '/x' })).key, 'inputPath');
    assert.strictEqual(refusal(() => parseOptions('influence', { modelPath: '/m', method: 'tracin', inputPath: '/x', damping: 1 })).key, 'damping');
  });

  it('refuses unknown keys, including the prototype’s', () => {
    for (const key of ['constructor', '__proto__', 'toString', 'smoothvariant']) {
      const raw = JSON.parse(`{"modelPath":"/m","inputPath":"/x","method":"gradient","${key}":1}`);
      assert.strictEqual(refusal(() => parseOptions('saliency', raw)).key, key);
    }
  });

  it('checks requirements between options', () => {
    assert.strictEqual(refusal(() => parseOptions('influence', { modelPath: '/m', method: 'self', lissaDepth: 3 })).message, 'lissaDepth needs solver lissa.');
    const lissa = parseOptions('influence', { modelPath: '/m', method: 'self', solver: 'lissa' });
    assert.strictEqual(lissa.lissaDepth, 1000);
    assert.strictEqual(parseOptions('influence', { modelPath: '/m', method: 'self' }).lissaDepth, undefined);
    assert.strictEqual(refusal(() => parseOptions('influence', { modelPath: '/m', method: 'influence' })).message, 'inputPath is required for influence.');
  });

  it("the panel's messages may set only what the panel offers", () => {
    assert.strictEqual(refusal(() => parseOptions('saliency', { method: 'gradient', modelPath: '/etc' }, { origin: 'webview' })).key, 'modelPath');
    assert.strictEqual(refusal(() => parseOptions('saliency', { method: 'integrated-gradients', baseline: { kind: 'file', path: '/etc/passwd' } }, { origin: 'webview' })).key, 'baseline');
    assert.strictEqual(refusal(() => parseOptions('saliency', { method: 'integrated-gradients', internalBatch: 4 }, { origin: 'webview' })).key, 'internalBatch');
    assert.strictEqual(parseOptions('saliency', { method: 'gradient', target: 3 }, { origin: 'webview' }).target, 3);
    const keys = panelFields('saliency', 'smoothgrad', 'image').map((f) => f.key);
    assert.deepStrictEqual(keys, ['output', 'target', 'samples', 'noise', 'smoothVariant', 'metrics']);
  });

  it('resolves paths with the caller’s resolver', () => {
    const p = parseOptions('saliency', { ...paths, method: 'gradient' }, { resolvePath: (v) => `R${v}` });
    assert.deepStrictEqual([p.modelPath, p.inputPath], ['R/m/model.json', 'R/m/x.png']);
  });
});
