/**
 * Engine process entry: forked by the extension host with an IPC channel.
 * Heavy tfjs work happens here so the editor never blocks; each request can be cancelled.
 */
import type { BackendChoice } from '../protocol/model';
import type { FromEngine, ToEngine } from '../protocol/engine';
import { Engine } from './engine';
import { toWireError } from './errors';
import { isObject } from './checkpoint/modelJson';

const send = (message: FromEngine): void => {
  process.send?.(message);
};
const engine = new Engine((level, message) => send({ type: 'log', level, message }));
const running = new Map<number, AbortController>();

async function start(): Promise<void> {
  const choice = (process.env.MODEL_LENS_BACKEND || 'auto') as BackendChoice;
  try {
    // A requested backend that cannot start falls back to auto, with a warning in `ready`.
    const { backend, warnings } = await engine.start(choice);
    send({ type: 'ready', backend, warnings });
  } catch (err) {
    send({ type: 'log', level: 'error', message: toWireError(err).message });
    process.exit(3);
  }
}

async function handle(message: ToEngine): Promise<void> {
  if (message.type === 'cancel') {
    running.get(message.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(message.id, controller);
  try {
    const result = await engine.run(message.method, message.params, {
      signal: controller.signal,
      onProgress: (done, total, text) => send({ type: 'progress', id: message.id, done, total, message: text }),
    });
    send({ type: 'result', id: message.id, result });
  } catch (err) {
    send({ type: 'error', id: message.id, ...toWireError(controller.signal.aborted ? controller.signal.reason : err) });
  } finally {
    running.delete(message.id);
  }
}

function isToEngine(value: unknown): value is ToEngine {
  return (
    isObject(value) &&
    typeof value.id === 'number' &&
    (value.type === 'cancel' || (value.type === 'request' && typeof value.method === 'string'))
  );
}

process.on('message', (message: unknown) => {
  if (isToEngine(message)) void handle(message);
  else send({ type: 'log', level: 'warn', message: 'Ignored a malformed message from the host.' });
});
process.on('disconnect', () => process.exit(0));
void start();
