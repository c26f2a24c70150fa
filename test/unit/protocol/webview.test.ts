import * as assert from 'assert';
import { parseExplainOptions, parseFromWebview } from '../../../src/protocol/webview';

describe('protocol/webview: messages from the panel are validated', () => {
  it('accepts the known messages', () => {
    for (const type of ['ready', 'reload', 'openSidecar', 'showLog', 'chooseInput', 'cancelExplain', 'cancelInfluence', 'chooseTrain']) {
      assert.deepStrictEqual(parseFromWebview({ type }), { type });
    }
    assert.deepStrictEqual(parseFromWebview({ type: 'rendered', modelPath: '/m/model.json' }), { type: 'rendered', modelPath: '/m/model.json' });
    assert.deepStrictEqual(parseFromWebview({ type: 'predict', sample: 3 }), { type: 'predict', sample: 3 });
    assert.deepStrictEqual(parseFromWebview({ type: 'explainRendered', run: 12 }), { type: 'explainRendered', run: 12 });
    assert.deepStrictEqual(parseFromWebview({ type: 'exportExplanation', format: 'json' }), { type: 'exportExplanation', format: 'json' });
    const view = { colormap: 'blue-white-red', signed: true, opacity: 0.5 };
    assert.deepStrictEqual(parseFromWebview({ type: 'exportExplanation', format: 'png', view }), { type: 'exportExplanation', format: 'png', view });
  });

  it('accepts explain requests for every method with in-range parameters', () => {
    const cases = [
      { method: 'gradient' },
      { method: 'gradient-x-input', target: 3 },
      { method: 'integrated-gradients', steps: 64, baseline: 'zeros', metrics: true },
      { method: 'integrated-gradients', steps: 1, baseline: 'blur' },
      { method: 'smoothgrad', samples: 25, noise: 0.15, smoothVariant: 'vargrad' },
      { method: 'grad-cam', layer: 'conv2', relu: false },
      { method: 'occlusion', window: 4, stride: 2, fill: -0.5 },
    ];
    for (const options of cases) {
      assert.deepStrictEqual(parseFromWebview({ type: 'explain', input: 0, options }), { type: 'explain', input: 0, options }, JSON.stringify(options));
    }
    // Absent optional fields stay absent (the engine applies its defaults).
    assert.deepStrictEqual(parseExplainOptions({ method: 'gradient', target: undefined }), { method: 'gradient' });
  });

  it('accepts influence requests: an input index unless self-influence, bounded label and top', () => {
    const cases = [
      { type: 'findInfluence', method: 'influence', input: 0 },
      { type: 'findInfluence', method: 'influence', input: 3, label: 2, top: 10 },
      { type: 'findInfluence', method: 'tracin', input: 1099, top: 100 },
      { type: 'findInfluence', method: 'self' },
      { type: 'findInfluence', method: 'self', top: 1 },
      { type: 'openInfluenceExample', run: 4, index: 0 },
      { type: 'openInfluenceExample', run: 4, index: 199 },
      { type: 'influenceRendered', run: 4 },
    ];
    for (const message of cases) assert.deepStrictEqual(parseFromWebview(message), message, JSON.stringify(message));
  });

  it('rejects hostile or malformed messages', () => {
    const ig = { method: 'integrated-gradients' };
    const hostile: unknown[] = [
      null,
      undefined,
      42,
      'ready',
      [],
      ['ready'],
      {},
      { type: 42 },
      { type: 'runShell', command: 'rm -rf /' },
      { type: 'ready', extra: 'payload' },
      { type: 'chooseInput', path: '/etc/passwd' },
      { type: 'cancelExplain', run: 1 },
      { type: 'rendered' },
      { type: 'rendered', modelPath: 7 },
      { type: 'rendered', modelPath: 'x'.repeat(5000) },
      { type: '__proto__' },
      JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'),
      // predict: indices only
      { type: 'predict', sample: -1 },
      { type: 'predict', sample: 1.5 },
      { type: 'predict', sample: '0' },
      { type: 'predict', sample: 1e9 },
      // explain: no paths, indices in range, known options only
      { type: 'explain', input: 0 },
      { type: 'explain', options: ig },
      { type: 'explain', input: -1, options: ig },
      { type: 'explain', input: 0.5, options: ig },
      { type: 'explain', input: '0', options: ig },
      { type: 'explain', input: 1e7, options: ig },
      { type: 'explain', input: NaN, options: ig },
      { type: 'explain', input: 0, options: ig, inputPath: '/etc/passwd' },
      { type: 'explain', input: '/home/user/secret.png', options: ig },
      { type: 'explain', input: 0, options: null },
      { type: 'explain', input: 0, options: [] },
      { type: 'explain', input: 0, options: 'integrated-gradients' },
      { type: 'explain', input: 0, options: {} },
      { type: 'explain', input: 0, options: { method: 'shap' } },
      { type: 'explain', input: 0, options: { method: 'gradient', modelPath: '/tmp/evil/model.json' } },
      { type: 'explain', input: 0, options: { method: 'gradient', inputPath: '/etc/shadow' } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', baseline: { kind: 'file', path: '/etc/passwd' } } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', baseline: 'file' } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', steps: 0 } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', steps: 1e6 } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', steps: 10.5 } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', steps: '64' } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', steps: Infinity } },
      { type: 'explain', input: 0, options: { method: 'integrated-gradients', internalBatch: 100000 } },
      { type: 'explain', input: 0, options: { method: 'gradient', target: -1 } },
      { type: 'explain', input: 0, options: { method: 'gradient', target: 70000 } },
      { type: 'explain', input: 0, options: { method: 'gradient', target: 2.5 } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', samples: 0 } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', samples: 100000 } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', noise: 0 } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', noise: 5 } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', noise: NaN } },
      { type: 'explain', input: 0, options: { method: 'smoothgrad', smoothVariant: 'eval' } },
      { type: 'explain', input: 0, options: { method: 'grad-cam', layer: '' } },
      { type: 'explain', input: 0, options: { method: 'grad-cam', layer: 'x'.repeat(300) } },
      { type: 'explain', input: 0, options: { method: 'grad-cam', layer: 'conv1\u0000../../etc' } },
      { type: 'explain', input: 0, options: { method: 'grad-cam', layer: 5 } },
      { type: 'explain', input: 0, options: { method: 'grad-cam', relu: 'false' } },
      { type: 'explain', input: 0, options: { method: 'occlusion', window: 0 } },
      { type: 'explain', input: 0, options: { method: 'occlusion', stride: 1e9 } },
      { type: 'explain', input: 0, options: { method: 'occlusion', fill: 1e300 } },
      { type: 'explain', input: 0, options: { method: 'occlusion', fill: -Infinity } },
      { type: 'explain', input: 0, options: { method: 'gradient', metrics: 1 } },
      { type: 'explain', input: 0, options: { method: 'gradient', seed: 1 } },
      { type: 'explain', input: 0, options: JSON.parse('{"method":"gradient","__proto__":{"polluted":true}}') },
      { type: 'explain', input: 0, options: Object.create({ method: 'gradient' }) },
      // export: a format and a bounded view, nothing else
      { type: 'exportExplanation' },
      { type: 'exportExplanation', format: 'exe' },
      { type: 'exportExplanation', format: 'png', path: '/tmp/x.png' },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'jet', signed: true, opacity: 0.5 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: 'yes', opacity: 0.5 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true, opacity: 2 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true, opacity: 0.5, extra: 1 } },
      { type: 'explainRendered', run: -1 },
      { type: 'explainRendered', run: 'latest' },
      { type: 'explainRendered' },
      // findInfluence: no paths, a known method, indices and numbers in range
      { type: 'findInfluence' },
      { type: 'findInfluence', input: 0 },
      { type: 'findInfluence', method: 'trak', input: 0 },
      { type: 'findInfluence', method: 'influence' },
      { type: 'findInfluence', method: 'influence', input: -1 },
      { type: 'findInfluence', method: 'influence', input: 2.5 },
      { type: 'findInfluence', method: 'influence', input: '0' },
      { type: 'findInfluence', method: 'influence', input: 1100 },
      { type: 'findInfluence', method: 'influence', input: '/home/user/digit.png' },
      { type: 'findInfluence', method: 'influence', input: 0, inputPath: '/etc/passwd' },
      { type: 'findInfluence', method: 'influence', input: 0, train: '/etc' },
      { type: 'findInfluence', method: 'influence', input: 0, cacheDir: '/tmp/evil' },
      { type: 'findInfluence', method: 'tracin', input: 0, checkpoints: [{ path: '/tmp/evil/model.json', learningRate: 1 }] },
      { type: 'findInfluence', method: 'influence', input: 0, solver: 'exact', damping: 1e-9 },
      { type: 'findInfluence', method: 'influence', input: 0, label: -1 },
      { type: 'findInfluence', method: 'influence', input: 0, label: 1.5 },
      { type: 'findInfluence', method: 'influence', input: 0, label: 70000 },
      { type: 'findInfluence', method: 'influence', input: 0, top: 0 },
      { type: 'findInfluence', method: 'influence', input: 0, top: 101 },
      { type: 'findInfluence', method: 'influence', input: 0, top: Infinity },
      { type: 'findInfluence', method: 'influence', input: 0, top: '10' },
      { type: 'findInfluence', method: 'self', input: 0 },
      { type: 'findInfluence', method: 'self', label: 1 },
      JSON.parse('{"type":"findInfluence","method":"self","__proto__":{"train":"/etc"}}'),
      { type: 'cancelInfluence', run: 1 },
      { type: 'chooseTrain', path: '/data/train' },
      // openInfluenceExample: an index into the last result, never a location
      { type: 'openInfluenceExample', index: 0 },
      { type: 'openInfluenceExample', run: 1 },
      { type: 'openInfluenceExample', run: 1, index: -1 },
      { type: 'openInfluenceExample', run: 1, index: 200 },
      { type: 'openInfluenceExample', run: 1, index: 0.5 },
      { type: 'openInfluenceExample', run: 1, index: '0' },
      { type: 'openInfluenceExample', run: 1, index: 0, path: '/etc/passwd' },
      { type: 'openInfluenceExample', run: 1, index: 0, location: { path: '/etc/passwd', line: 1 } },
      { type: 'openInfluenceExample', run: 'last', index: 0 },
      { type: 'influenceRendered', run: -5 },
      { type: 'influenceRendered', run: 1, extra: true },
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });
});
