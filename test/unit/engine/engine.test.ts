import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../src/engine/engine';
import type { MethodName } from '../../../src/protocol/engine';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { quietContext } from '../../../src/engine/common/context';
import { mlp } from '../../helpers/models';
import { tempDir } from '../../helpers/tempDir';
import { nativeInstalled } from '../../helpers/native';

describe('engine', () => {
  const engine = new Engine(() => {}, { helper: false });
  before(() => engine.useBackend('cpu'));
  after(() => engine.dispose());

  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
    it(`run('${name}') is a BAD_REQUEST, not a property of the handler table`, async () => {
      await assert.rejects(engine.run(name as MethodName, {}, quietContext()), (err: Error & { code?: string }) => {
        assert.strictEqual(err.code, 'BAD_REQUEST');
        assert.match(err.message, new RegExp(`Unknown engine method '${name.replace(/_/g, '_')}'`));
        return true;
      });
    });
  }

  it('answers info through the handler table', async () => {
    const file = await saveLayersModel(mlp(), tempDir());
    const summary = await engine.run('info', { modelPath: file }, quietContext());
    assert.strictEqual(summary.params, 67);
    assert.deepStrictEqual(summary.outputs.map((o) => o.name), ['probs']);
  });

  it('a backend that cannot start leaves the engine on its backend, with BACKEND_UNAVAILABLE saying why', async function () {
    if (nativeInstalled()) this.skip();
    await assert.rejects(engine.run('backend', { choice: 'tensorflow' }, quietContext()), (err: Error & { code?: string }) => {
      assert.strictEqual(err.code, 'BACKEND_UNAVAILABLE');
      assert.match(err.message, /tensorflow backend unavailable: \S/);
      return true;
    });
    assert.strictEqual(engine.backend, 'cpu');
    assert.strictEqual(tf.getBackend(), 'cpu');
    assert.deepStrictEqual(await engine.run('backend', {}, quietContext()), { backend: 'cpu' });
  });

  it('backends lists every backend with whether it can start, and the active one, without switching', async () => {
    const result = await engine.run('backends', {}, quietContext());
    assert.strictEqual(result.active, 'cpu');
    assert.deepStrictEqual(result.available.map((b) => b.name), ['tensorflow', 'wasm', 'cpu']);
    const byName = Object.fromEntries(result.available.map((b) => [b.name, b]));
    assert.strictEqual(byName.cpu.available, true);
    assert.strictEqual(byName.wasm.available, true);
    assert.strictEqual(byName.tensorflow.available, nativeInstalled());
    if (!nativeInstalled()) assert.match(byName.tensorflow.reason ?? '', /\S/);
    for (const b of result.available) if (b.available) assert.strictEqual(b.reason, undefined);
    assert.strictEqual(tf.getBackend(), 'cpu');
  });

  it('start() falls back to auto, with a warning, when the requested backend cannot start', async function () {
    if (nativeInstalled()) this.skip();
    const other = new Engine(() => {}, { helper: false });
    try {
      const { backend, warnings } = await other.start('tensorflow');
      assert.strictEqual(backend, 'wasm');
      assert.match(warnings[0], /^Backend 'tensorflow' could not start: .* Using wasm instead\.$/);
    } finally {
      other.dispose();
      await engine.useBackend('cpu');
    }
  });
});
