/** Every counterfactual method: no tensor left behind, progress reported, cancellation honoured without leaks. */
import * as assert from 'assert';
import * as path from 'path';
import { quietContext } from '../../../../src/engine/common/context';
import type { Params, RunContext } from '../../../../src/protocol/engine';
import { ROOT } from '../../../helpers/cli';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tensorsWithoutCachedInputs } from '../../../helpers/assertLens';

const example = (name: string, file: string) => ({ modelPath: path.join(ROOT, 'examples', name, 'model.json'), inputPath: path.join(ROOT, 'examples', name, file) });
const REQUESTS: [string, Params<'counterfactual'>][] = [
  ['linear-exact', { ...example('penguins-logreg', 'samples/adelie.csv'), target: 'Gentoo', method: 'linear-exact' }],
  ['gradient --count 2', { ...example('penguins-logreg', 'samples/adelie.csv'), target: 'Chinstrap', method: 'gradient', count: 2 }],
  ['perturbation', { ...example('mnist-cnn', 'samples/digit-7-0.png'), target: 9, method: 'perturbation', steps: 100 }],
  ['region-swap', { ...example('mnist-cnn', 'samples/digit-3-0.png'), target: 8, method: 'region-swap', distractors: 2 }],
  ['token-flip', { ...example('text-sentiment', 'samples/positive.txt'), target: 'negative', method: 'token-flip' }],
];

describe('counterfactual methods: memory, progress, cancellation', function () {
  this.timeout(300_000);
  const engine = suiteEngine('wasm');

  for (const [name, params] of REQUESTS) {
    it(`${name}: leaves no tensor behind and reports progress up to its total`, async () => {
      await engine().run('counterfactual', params, quietContext()); // loads the model, input and training set (kept by the engine)
      const before = tensorsWithoutCachedInputs(engine());
      const seen: [number, number][] = [];
      const ctx: RunContext = { signal: new AbortController().signal, onProgress: (done, total) => seen.push([done, total]) };
      const result = await engine().run('counterfactual', params, ctx);
      assert.ok(result.counterfactuals.length > 0, String(result.reason));
      assert.strictEqual(tensorsWithoutCachedInputs(engine()), before);
      if (name !== 'linear-exact') assert.ok(seen.length > 0, 'progress reported');
      for (const [done, total] of seen) assert.ok(done >= 1 && done <= total, `${done}/${total}`);
    });
  }

  for (const [name, params] of REQUESTS.filter(([n]) => n !== 'linear-exact')) {
    it(`${name}: a cancel at the first progress stops it, without leaks`, async () => {
      await engine().run('counterfactual', params, quietContext()); // the model and training set stay loaded
      const before = tensorsWithoutCachedInputs(engine());
      const controller = new AbortController();
      await assert.rejects(engine().run('counterfactual', params, { signal: controller.signal, onProgress: () => controller.abort() }), { name: 'AbortError' });
      assert.strictEqual(tensorsWithoutCachedInputs(engine()), before);
    });
  }
});
