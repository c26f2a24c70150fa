/**
 * A counterfactual run keeps its input while other requests use the engine: the panel predicts its
 * samples as it opens, beside a run from Find Counterfactual, and those predictions push the run's
 * input out of the engine's cache of recent inputs, which must not dispose an entry still in use.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { quietContext } from '../../../../src/engine/common/context';
import { ROOT } from '../../../helpers/cli';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tempDir } from '../../../helpers/tempDir';

describe('counterfactuals beside other requests', function () {
  this.timeout(300_000);
  const engine = suiteEngine('wasm');

  it('token flip still reads its text when predictions on five other texts evict it from the input cache meanwhile', async () => {
    const dir = path.join(ROOT, 'examples/text-sentiment');
    const modelPath = path.join(dir, 'model.json');
    const inputPath = path.join(dir, 'samples/positive.txt');
    const others = ['mixed-superb-terrible.txt', 'negative.txt', 'unknown-words.txt'].map((f) => path.join(dir, 'samples', f));
    const scratch = tempDir();
    for (const name of ['a', 'b']) {
      others.push(path.join(scratch, `${name}.txt`));
      fs.writeFileSync(others.at(-1)!, `a ${name} night with friends`);
    }
    await engine().run('info', { modelPath }, quietContext());
    // Not awaited: the run awaits its training set (read cold) while the predictions load their inputs.
    const running = engine().run('counterfactual', { modelPath, inputPath, target: 'negative', method: 'token-flip' }, quietContext());
    await Promise.all(others.map((file) => engine().run('predict', { modelPath, inputPath: file }, quietContext())));
    const result = await running;
    assert.strictEqual(result.original.text, 'we saw the movie on a night with friends and it was wonderful');
    assert.strictEqual(result.counterfactuals[0]?.label, 'negative', String(result.reason));
  });
});
