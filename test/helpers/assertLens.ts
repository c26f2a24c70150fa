import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../../src/engine/errors';

/**
 * Asserts that run() throws or rejects with a one-line LensError of `code` whose message has every
 * pattern (a substring or a RegExp). Returns the error.
 */
export async function rejectsLens(run: () => unknown, code: string, ...patterns: (string | RegExp)[]): Promise<LensError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof LensError, `expected LensError, got ${caught instanceof Error ? caught.stack : String(caught)}`);
  assert.strictEqual(caught.code, code, caught.message);
  assert.ok(!caught.message.includes('\n'), `error messages are one line: ${caught.message}`);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(caught.message.includes(p), `"${caught.message}" lacks "${p}"`);
    else assert.match(caught.message, p);
  }
  return caught;
}

/** tf.memory().numTensors with the engine's input cache emptied: it keeps recent inputs and their outputs on purpose. */
export function tensorsWithoutCachedInputs(engine: { inputs: { clear(): void } }): number {
  engine.inputs.clear();
  return tf.memory().numTensors;
}
