import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { backendAvailability, initBackend } from '../../../../src/engine/backend/select';
import { nativeInstalled } from '../../../helpers/native';

describe('backend/select', () => {
  after(() => initBackend('cpu'));

  it('auto prefers tensorflow, then wasm, and says why it skipped one', async function () {
    const status = await initBackend('auto');
    if (nativeInstalled()) {
      assert.strictEqual(status.backend, 'tensorflow');
      return;
    }
    assert.strictEqual(status.backend, 'wasm');
    assert.strictEqual(tf.getBackend(), 'wasm');
    assert.match(status.warnings[0], /^tensorflow backend unavailable: /);
  });

  it('an explicit choice is honoured: cpu, then wasm', async () => {
    assert.strictEqual((await initBackend('cpu')).backend, 'cpu');
    assert.strictEqual(tf.getBackend(), 'cpu');
    assert.strictEqual((await initBackend('wasm')).backend, 'wasm');
    assert.strictEqual(tf.getBackend(), 'wasm');
  });

  it('wasm computes the same as cpu after switching', async () => {
    await initBackend('wasm');
    const onWasm = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync());
    await initBackend('cpu');
    const onCpu = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync());
    assert.deepStrictEqual(onWasm, [[17], [39]]);
    assert.deepStrictEqual(onCpu, onWasm);
  });

  it('asking for tensorflow where it is not installed fails with a clear error', async function () {
    if (nativeInstalled()) this.skip();
    await assert.rejects(initBackend('tensorflow'), (err: Error & { code?: string }) => {
      assert.strictEqual(err.code, 'BACKEND_UNAVAILABLE');
      assert.match(err.message, /Backend 'tensorflow' could not start: tensorflow backend unavailable/);
      return true;
    });
    assert.notStrictEqual(tf.getBackend(), 'tensorflow');
  });

  it("lists tensorflow as unavailable where @tensorflow/tfjs-node is not installed, saying so", async function () {
    if (nativeInstalled()) this.skip();
    const list = await backendAvailability();
    assert.deepStrictEqual(list.find((b) => b.name === 'tensorflow'), { name: 'tensorflow', available: false, reason: '@tensorflow/tfjs-node is not installed' });
    assert.ok(list.some((b) => b.name === 'cpu' && b.available));
  });
});
