/**
 * Output heads and kinds through the CLI, against closed forms: a 3 → 1 sigmoid classifier
 * (p(1) = σ(w·x + b), p(0) = 1 − σ), and a model with a softmax head and a linear regression head
 * (its value is v·x + c and its gradient is v).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../../../src/engine/checkpoint/save';
import { assertCliFails, cli, requireBuiltCli } from '../../helpers/cli';
import { tempDir } from '../../helpers/tempDir';

const W = [0.5, -1.25, 2];
const B = -0.3;
const X = [0.8, 0.4, -0.6];
const V = [1.5, -0.5, 0.25];
const C = 0.75;
const sigma = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

function json(args: string[]): Record<string, unknown> {
  const { code, stdout, stderr } = cli(...args, '--json', '--backend', 'cpu');
  assert.strictEqual(code, 0, stderr);
  return JSON.parse(stdout);
}

describe('cli: output heads and kinds', () => {
  let sigmoidModel: string;
  let twoHeads: string;
  let input: string;
  before(async () => {
    requireBuiltCli();
    const sigmoid = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, activation: 'sigmoid', name: 'score' })] });
    sigmoid.layers[0].setWeights([tf.tensor2d(W, [3, 1]), tf.tensor1d([B])]);
    sigmoidModel = await saveLayersModel(sigmoid, tempDir());
    fs.writeFileSync(path.join(path.dirname(sigmoidModel), 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, labels: ['real', 'fake'] }));

    const x = tf.input({ shape: [3] });
    const hidden = tf.layers.dense({ units: 4, activation: 'relu', name: 'hidden', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
    const probs = tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }).apply(hidden) as tf.SymbolicTensor;
    const regression = tf.layers.dense({ units: 1, name: 'age' });
    const age = regression.apply(x) as tf.SymbolicTensor;
    regression.setWeights([tf.tensor2d(V, [3, 1]), tf.tensor1d([C])]);
    twoHeads = await saveLayersModel(tf.model({ inputs: x, outputs: [probs, age] }), tempDir());
    input = path.join(tempDir(), 'x.json');
    fs.writeFileSync(input, JSON.stringify([X]));
  });

  it('a 3 → 1 sigmoid: p(1) = σ(w·x + b) and p(0) = 1 − σ, with the sidecar\'s two labels', () => {
    const p = json(['predict', sigmoidModel, '--input', input]) as { output: { kind: string }; rows: { top: { index: number; label: string; probability: number }[] }[] };
    assert.strictEqual(p.output.kind, 'sigmoid');
    const s = sigma(dot(W, X) + B);
    const byIndex = Object.fromEntries(p.rows[0].top.map((c) => [c.index, c]));
    assert.ok(Math.abs(byIndex[1].probability - s) < 1e-5, `p(1) ${byIndex[1].probability} vs σ ${s}`);
    assert.ok(Math.abs(byIndex[0].probability - (1 - s)) < 1e-5);
    assert.deepStrictEqual([byIndex[0].label, byIndex[1].label], ['real', 'fake']);
  });

  it('a sigmoid head explains either class: the gradient of p(0) = 1 − σ is −σ(1 − σ)·w', () => {
    const s = sigma(dot(W, X) + B);
    for (const target of [0, 1]) {
      const r = json(['saliency', sigmoidModel, '--input', input, '--method', 'gradient', '--target', String(target)]) as { attribution: { data: number[] }; targetProbability: number };
      const sign = target === 1 ? 1 : -1;
      r.attribution.data.forEach((g, i) => assert.ok(Math.abs(g - sign * s * (1 - s) * W[i]) < 1e-5, `class ${target}, feature ${i}: ${g}`));
      assert.ok(Math.abs(r.targetProbability - (target === 1 ? s : 1 - s)) < 1e-5);
    }
  });

  it('deletion/insertion of a sigmoid head follow its probability, not a softmax over one unit', () => {
    const r = json(['saliency', sigmoidModel, '--input', input, '--method', 'gradient', '--target', '1', '--metrics']) as { metrics: { deletionCurve: number[] } };
    const curve = r.metrics.deletionCurve;
    assert.ok(Math.abs(curve[0] - sigma(dot(W, X) + B)) < 1e-5, 'starts at σ(w·x + b)');
    assert.ok(Math.abs(curve[curve.length - 1] - sigma(B)) < 1e-5, 'ends at σ(b): every feature removed');
  });

  it('info lists both heads with their shapes and kinds', () => {
    const s = json(['info', twoHeads]) as { outputs: { name: string; shape: (number | null)[]; kind: string }[] };
    assert.deepStrictEqual(
      s.outputs.map((o) => [o.name, o.shape, o.kind]),
      [
        ['probs', [null, 2], 'softmax'],
        ['age', [null, 1], 'regression'],
      ],
    );
  });

  it('predict --output <regression head> reports its value v·x + c; by index too', () => {
    for (const output of ['age', '1']) {
      const p = json(['predict', twoHeads, '--input', input, '--output', output]) as { output: { name: string }; outputKind: string; rows: { top: unknown[]; values: number[] }[] };
      assert.strictEqual(p.output.name, 'age');
      assert.strictEqual(p.outputKind, 'values');
      assert.deepStrictEqual(p.rows[0].top, []);
      assert.ok(Math.abs(p.rows[0].values[0] - (dot(V, X) + C)) < 1e-5, `${p.rows[0].values[0]}`);
    }
    const first = json(['predict', twoHeads, '--input', input]) as { output: { name: string }; rows: { top: { probability: number }[] }[] };
    assert.strictEqual(first.output.name, 'probs', 'the first head by default');
    assert.ok(Math.abs(first.rows[0].top.reduce((s, c) => s + c.probability, 0) - 1) < 1e-5);
  });

  it('saliency --output <regression head> --method gradient equals its weight vector; IG adds up to its value change', () => {
    const g = json(['saliency', twoHeads, '--input', input, '--output', 'age', '--method', 'gradient']) as { output: { name: string; kind: string }; targetValue: number; attribution: { data: number[] } };
    assert.deepStrictEqual(g.output, { index: 1, name: 'age', kind: 'regression' });
    g.attribution.data.forEach((v, i) => assert.ok(Math.abs(v - V[i]) < 1e-5, `∂/∂x${i} = ${v}, weight ${V[i]}`));
    assert.ok(Math.abs(g.targetValue - (dot(V, X) + C)) < 1e-5);
    const ig = json(['saliency', twoHeads, '--input', input, '--output', 'age', '--method', 'integrated-gradients', '--steps', '4', '--metrics']) as {
      attribution: { data: number[] };
      metrics: { deletionCurve: number[] };
      warnings?: string[];
    };
    ig.attribution.data.forEach((v, i) => assert.ok(Math.abs(v - V[i] * X[i]) < 1e-5, 'linear: IG = v ⊙ x'));
    assert.strictEqual(ig.warnings, undefined, 'exact on a linear head: no completeness warning');
    assert.ok(Math.abs(ig.metrics.deletionCurve[0] - (dot(V, X) + C)) < 1e-5, "the curves follow the unit's value");
    assert.ok(Math.abs(ig.metrics.deletionCurve.at(-1)! - C) < 1e-5);
  });

  it('an unknown head is an error listing the outputs', () => {
    assertCliFails(['predict', twoHeads, '--input', input, '--output', 'height', '--backend', 'cpu'], /no output 'height'.*0: probs \[\?, 2\] softmax; 1: age \[\?, 1\] regression/, 1);
  });

  it('the sidecar overrides a kind per head: a linear head read as a sigmoid gets σ applied', async () => {
    const dir = path.dirname(twoHeads);
    fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, outputs: { age: { kind: 'sigmoid', labels: ['young', 'old'] } } }));
    try {
      const s = json(['info', twoHeads]) as { outputs: { kind: string; kindReason: string }[] };
      assert.deepStrictEqual([s.outputs[1].kind, s.outputs[1].kindReason], ['sigmoid', 'set in the sidecar']);
      const p = json(['predict', twoHeads, '--input', input, '--output', 'age']) as { rows: { top: { label: string; probability: number }[] }[] };
      const old = p.rows[0].top.find((c) => c.label === 'old');
      assert.ok(old && Math.abs(old.probability - sigma(dot(V, X) + C)) < 1e-5);
    } finally {
      fs.rmSync(path.join(dir, 'model.lens.json'));
    }
  });
});

describe('cli: sidecars never fail silently', () => {
  let model: string;
  let input: string;
  before(async () => {
    requireBuiltCli();
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax' })] });
    model = await saveLayersModel(dense, tempDir());
    fs.writeFileSync(path.join(path.dirname(model), 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, lables: ['a', 'b'] }));
    input = path.join(tempDir(), 'x.json');
    fs.writeFileSync(input, JSON.stringify([X]));
  });

  it('predict and saliency refuse a typo\'d key with the suggestion', () => {
    assertCliFails(['predict', model, '--input', input, '--backend', 'cpu'], /unknown key 'lables' at \/ — did you mean 'labels'\?/, 1);
    assertCliFails(['saliency', model, '--input', input, '--method', 'gradient', '--backend', 'cpu'], /unknown key 'lables'/, 1);
  });

  it('info still loads, with the problem among its warnings and on stderr', () => {
    const { code, stdout, stderr } = cli('info', model, '--json', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    assert.match(stderr, /^model-lens: warning: model\.lens\.json: unknown key 'lables'/);
    const summary = JSON.parse(stdout) as { warnings: string[]; sidecar: { error: string } };
    assert.match(summary.sidecar.error, /did you mean 'labels'/);
    assert.ok(summary.warnings.some((w) => /refuse to run/.test(w)));
  });
});
