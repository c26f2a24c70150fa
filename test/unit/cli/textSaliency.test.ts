import * as assert from 'assert';
import { cli, requireBuiltCli } from '../../helpers/cli';

const MODEL = 'examples/text-sentiment/model.json';
const MIXED = 'examples/text-sentiment/samples/mixed-superb-terrible.txt';

describe('cli saliency on a text model (dist/cli.js)', function () {
  this.timeout(180_000);
  before(function () {
    requireBuiltCli();
  });

  it('--json: attribution [16] per token, the tokens, completeness delta', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', MIXED, '--method', 'integrated-gradients', '--backend', 'cpu', '--json');
    assert.strictEqual(code, 0, stderr);
    const r = JSON.parse(stdout);
    assert.deepStrictEqual(r.attribution.shape, [16]);
    assert.strictEqual(r.attribution.data.length, 16);
    assert.strictEqual(r.input.kind, 'text');
    assert.strictEqual(r.input.tokens.length, 16);
    assert.deepStrictEqual(r.input.tokens.slice(0, 9), ['the', 'popcorn', 'was', 'superb', 'but', 'the', 'ending', 'was', 'terrible']);
    assert.strictEqual(r.targetLabel, 'positive');
    assert.strictEqual(typeof r.completenessDelta, 'number');
    assert.match(r.summary, /^'superb' carries \d+% of \|IG\|$/);
  });

  it('human output lists the top tokens with their attributions', () => {
    const { code, stdout, stderr } = cli('saliency', MODEL, '--input', MIXED, '--method', 'occlusion', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    const lines = stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('tokens:'));
    assert.ok(at >= 0, stdout);
    assert.match(lines[at + 1], /^\s+'superb'\s+0\.\d+\s+\[3\]$/);
    assert.match(stdout, /'terrible'\s+-0\.\d+\s+\[8\]/);
  });

  it('grad-cam on text fails with a clear message', () => {
    const { code, stderr } = cli('saliency', MODEL, '--input', MIXED, '--method', 'grad-cam', '--backend', 'cpu');
    assert.notStrictEqual(code, 0);
    assert.match(stderr, /Grad-CAM .*text models/);
  });
});
