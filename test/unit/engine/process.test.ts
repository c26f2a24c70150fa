import * as assert from 'assert';
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FromEngine, ToEngine } from '../../../src/protocol/engine';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { mlp } from '../../helpers/models';
import { tempDir } from '../../helpers/tempDir';

const ENGINE = path.join(__dirname, '../../../../dist/engine.js');

/** The engine process as the extension host sees it: typed messages over IPC. */
class EngineProcess {
  readonly child: ChildProcess;
  readonly messages: FromEngine[] = [];
  private waiters: (() => void)[] = [];

  constructor(backend = 'cpu') {
    this.child = fork(ENGINE, [], { env: { ...process.env, MODEL_LENS_BACKEND: backend }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.child.on('message', (m: FromEngine) => {
      this.messages.push(m);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  send(message: ToEngine | unknown): void {
    this.child.send(message as object);
  }

  async next(predicate: (m: FromEngine) => boolean): Promise<FromEngine> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  stop(): void {
    this.child.kill();
  }
}

describe('engine process (dist/engine.js)', () => {
  let engine: EngineProcess;
  let model: string;

  before(async () => {
    if (!fs.existsSync(ENGINE)) throw new Error('dist/engine.js is missing: run npm run build first');
    model = await saveLayersModel(mlp(), tempDir());
    engine = new EngineProcess('cpu');
  });
  after(() => engine.stop());

  it('announces its backend when ready', async () => {
    const ready = await engine.next((m) => m.type === 'ready');
    assert.deepStrictEqual(ready, { type: 'ready', backend: 'cpu', warnings: [] });
  });

  it('answers an info request with the summary', async () => {
    engine.send({ type: 'request', id: 1, method: 'info', params: { modelPath: model } });
    const reply = await engine.next((m) => 'id' in m && m.id === 1);
    assert.strictEqual(reply.type, 'result');
    assert.strictEqual((reply as { result: { params: number } }).result.params, 67);
  });

  it('reports bad requests as typed errors and keeps serving', async () => {
    engine.send({ type: 'request', id: 2, method: 'info', params: { modelPath: 42 } });
    engine.send({ type: 'request', id: 3, method: 'selfDestruct', params: {} });
    engine.send({ type: 'request', id: 4, method: 'info', params: { modelPath: '/nope/model.json' } });
    engine.send({ hello: 'world' });
    const errors = await Promise.all([2, 3, 4].map((id) => engine.next((m) => 'id' in m && m.id === id)));
    assert.deepStrictEqual(
      errors.map((e) => [e.type, (e as { code: string }).code]),
      [['error', 'BAD_REQUEST'], ['error', 'BAD_REQUEST'], ['error', 'FILE_NOT_FOUND']],
    );
    await engine.next((m) => m.type === 'log' && /malformed message/.test(m.message));
    engine.send({ type: 'request', id: 5, method: 'info', params: { modelPath: model } });
    assert.strictEqual((await engine.next((m) => 'id' in m && m.id === 5)).type, 'result');
  });

  it('starts on auto, with a warning, when the requested backend cannot start (instead of exiting)', async function () {
    try {
      require.resolve('@tensorflow/tfjs-node');
      this.skip();
    } catch {
      // not installed: the case under test
    }
    const child = new EngineProcess('tensorflow');
    try {
      const exited = new Promise<number | null>((resolve) => child.child.on('exit', resolve));
      const ready = await Promise.race([child.next((m) => m.type === 'ready'), exited.then((code) => ({ type: 'exited', code }))]);
      assert.strictEqual(ready.type, 'ready');
      const { backend, warnings } = ready as { backend: string; warnings: string[] };
      assert.strictEqual(backend, 'wasm');
      assert.match(warnings[0], /Backend 'tensorflow' could not start: tensorflow backend unavailable/);
      child.send({ type: 'request', id: 1, method: 'backends', params: {} });
      const reply = (await child.next((m) => 'id' in m && m.id === 1)) as { type: string; result: { active: string; available: { name: string; available: boolean }[] } };
      assert.strictEqual(reply.type, 'result');
      assert.strictEqual(reply.result.active, 'wasm');
      assert.deepStrictEqual(reply.result.available.map((b) => [b.name, b.available]), [['tensorflow', false], ['wasm', true], ['cpu', true]]);
    } finally {
      child.stop();
    }
  });

  it('exits when the host disconnects', async () => {
    const child = new EngineProcess('cpu');
    await child.next((m) => m.type === 'ready');
    const exited = new Promise<number | null>((resolve) => child.child.on('exit', resolve));
    child.child.disconnect();
    assert.strictEqual(await exited, 0);
  });
});
