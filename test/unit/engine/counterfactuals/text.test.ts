/**
 * token-flip on the text-sentiment example, whose label is planted: only the valence words of the
 * AFINN lexicon decide it. A faithful flip therefore replaces valence words of the original
 * polarity with words of the other, and leaves the neutral words alone.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { quietContext } from '../../../../src/engine/common/context';
import type { CounterfactualResult } from '../../../../src/protocol/counterfactual';
import { ROOT } from '../../../helpers/cli';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tempDir } from '../../../helpers/tempDir';

const DIR = path.join(ROOT, 'examples/text-sentiment');

describe('token-flip on the planted sentiment example', function () {
  this.timeout(300_000);
  const engine = suiteEngine('wasm');

  it('flips 20 held-out sentences by replacing valence words with words of the other polarity, each within the budget', async () => {
    const lexicon = JSON.parse(fs.readFileSync(path.join(DIR, 'data/lexicon.json'), 'utf8')) as Record<string, number>;
    const lines = fs.readFileSync(path.join(DIR, 'data/test.jsonl'), 'utf8').trim().split('\n').slice(0, 20);
    const dir = tempDir();
    for (const [n, line] of lines.entries()) {
      const { text, label } = JSON.parse(line) as { text: string; label: number };
      const file = path.join(dir, `s${n}.txt`);
      fs.writeFileSync(file, text);
      const target = 1 - label;
      const result: CounterfactualResult = await engine().run('counterfactual', { modelPath: path.join(DIR, 'model.json'), inputPath: file, target }, quietContext());
      assert.strictEqual(result.method, 'token-flip');
      const cf = result.counterfactuals[0];
      assert.ok(cf, `"${text}": ${result.reason}`);
      assert.strictEqual(cf.prediction, target);
      assert.strictEqual(cf.proximity, cf.edits!.length);
      assert.ok(cf.edits!.length >= 1 && cf.edits!.length <= 5);
      const sign = label === 1 ? 1 : -1;
      for (const e of cf.edits!) {
        assert.ok(sign * (lexicon[e.from] ?? 0) > 0, `"${text}": replaced '${e.from}', not a ${label === 1 ? 'positive' : 'negative'} valence word`);
        assert.ok(sign * (lexicon[e.to] ?? 0) < 0, `"${text}": put in '${e.to}', not a word of the other polarity`);
      }
      // The counterfactual's text is the original's with exactly those positions replaced.
      const words = text.split(' ');
      for (const e of cf.edits!) words[e.position] = e.to;
      assert.strictEqual(cf.text, words.join(' '));
      assert.strictEqual(result.original.text, text);
    }
  });

  it('says why when the budget runs out', async () => {
    const file = path.join(tempDir(), 'strong.txt');
    fs.writeFileSync(file, 'superb wonderful amazing brilliant awesome the movie');
    const result: CounterfactualResult = await engine().run('counterfactual', { modelPath: path.join(DIR, 'model.json'), inputPath: file, target: 'negative', maxEdits: 1 }, quietContext());
    assert.deepStrictEqual(result.counterfactuals, []);
    assert.match(result.reason ?? '', /1 token substitution did not make the model predict 'negative'.*raise --max-edits/);
  });
});
