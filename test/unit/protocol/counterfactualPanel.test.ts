/** The Counterfactuals section's panel messages: what the form may send (no paths, the runner-up by default) and Copy. */
import * as assert from 'assert';
import { COUNTERFACTUAL_FIELDS } from '../../../src/protocol/options/counterfactual';
import { checkSectionOptions, parseFromWebview, parseSectionOptions } from '../../../src/protocol/webview';
import { parseOptions } from '../../../src/protocol/options';

const run = (options: unknown, input: unknown = 0) => ({ type: 'sectionRun', section: 'counterfactual', input, options });

describe('protocol/webview: the Counterfactuals section', () => {
  it('accepts runs without a target (the host picks the runner-up) and with one; options stay as given', () => {
    for (const options of [
      { method: 'auto' },
      { method: 'linear-exact', target: 2 },
      { method: 'gradient', target: 'Gentoo', count: 3, row: 5, margin: 0.1, steps: 500 },
      { method: 'region-swap', layer: 'conv2', distractors: 3, maxEdits: 4 },
      { method: 'perturbation', tvWeight: 0.2 },
      { method: 'token-flip', maxEdits: 2 },
    ]) {
      const parsed = parseFromWebview(run(options));
      assert.ok(parsed && parsed.type === 'sectionRun' && parsed.section === 'counterfactual', JSON.stringify(options));
      assert.deepStrictEqual(parsed.options, options);
    }
    // Other callers still owe a target: the CLI's --target and the engine's request.
    assert.throws(() => parseOptions('counterfactual', { modelPath: 'm', inputPath: 'x' }), /target is required/);
    assert.strictEqual(COUNTERFACTUAL_FIELDS.target.hostDefault, 'the runner-up class');
    assert.match(checkSectionOptions('counterfactual', { method: 'gradient', count: 21 }).problem ?? '', /^Count must be an integer from 1 to 20/);
    assert.deepStrictEqual(parseSectionOptions('counterfactual', { method: 'auto', target: undefined }), { method: 'auto' });
  });

  it('refuses paths, constraints the panel does not offer, options of other methods, and bad copies', () => {
    const hostile: unknown[] = [
      run({ method: 'auto', inputPath: '/etc/passwd' }),
      run({ method: 'auto', train: '/etc' }),
      run({ method: 'auto', modelPath: '/tmp/evil/model.json' }),
      run({ method: 'gradient', immutable: ['age'] }),
      run({ method: 'gradient', range: { age: [0, 1] } }),
      run({ method: 'gradient', cost: { age: 2 } }),
      run({ method: 'gradient', seed: 3 }),
      run({ method: 'linear-exact', count: 3 }),
      run({ method: 'token-flip', layer: 'conv1' }),
      run({ method: 'annealing' }),
      run({}),
      run({ method: 'auto', target: -1 }),
      run({ method: 'auto', row: 0 }),
      run({ method: 'auto' }, -1),
      // No input: a default parameter would put 0 back, so the message is written out.
      { type: 'sectionRun', section: 'counterfactual', options: { method: 'auto' } },
      { type: 'copyCounterfactual', run: 1, index: 0 },
      { type: 'copyCounterfactual', run: 1, index: 0, format: 'xml' },
      { type: 'copyCounterfactual', run: 1, index: -1, format: 'csv' },
      { type: 'copyCounterfactual', run: 'last', index: 0, format: 'csv' },
      { type: 'copyCounterfactual', run: 1, index: 0, format: 'csv', path: '/tmp/out.csv' },
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    for (const format of ['csv', 'json']) {
      const copy = { type: 'copyCounterfactual', run: 3, index: 2, format };
      assert.deepStrictEqual(parseFromWebview(copy), copy);
    }
  });
});
