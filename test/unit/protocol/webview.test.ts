import * as assert from 'assert';
import { checkSectionOptions, parseFromWebview, parseSavedIclPanelState, parseSavedPanelState, parseSectionOptions } from '../../../src/protocol/webview';

const run = (section: string, options: unknown, input?: unknown) => ({ type: 'sectionRun', section, ...(input === undefined ? {} : { input }), options });

/** parseFromWebview's answer for a sectionRun, which must be accepted with `options` among its (defaulted) options. */
function acceptedRun(message: Record<string, unknown>, given: Record<string, unknown>) {
  const parsed = parseFromWebview(message);
  assert.ok(parsed && parsed.type === 'sectionRun', `refused ${JSON.stringify(message)}`);
  for (const [k, v] of Object.entries(given)) assert.deepStrictEqual((parsed.options as Record<string, unknown>)[k], v, `${JSON.stringify(message)}: ${k}`);
  assert.strictEqual(parsed.section, message.section);
  assert.strictEqual(parsed.input, message.input);
  return parsed;
}

describe('protocol/webview: messages from the panel are validated', () => {
  it('accepts the known messages', () => {
    for (const type of ['ready', 'reload', 'openSidecar', 'showLog', 'chooseInput', 'chooseTrain']) {
      assert.deepStrictEqual(parseFromWebview({ type }), { type });
    }
    for (const section of ['explain', 'influence']) {
      assert.deepStrictEqual(parseFromWebview({ type: 'sectionCancel', section }), { type: 'sectionCancel', section });
      assert.deepStrictEqual(parseFromWebview({ type: 'sectionRendered', section, run: 12 }), { type: 'sectionRendered', section, run: 12 });
    }
    assert.deepStrictEqual(parseFromWebview({ type: 'rendered', modelPath: '/m/model.json' }), { type: 'rendered', modelPath: '/m/model.json' });
    assert.deepStrictEqual(parseFromWebview({ type: 'predict', sample: 3 }), { type: 'predict', sample: 3 });
    assert.deepStrictEqual(parseFromWebview({ type: 'exportExplanation', format: 'json' }), { type: 'exportExplanation', format: 'json' });
    const view = { colormap: 'blue-white-red', signed: true, opacity: 0.5 };
    assert.deepStrictEqual(parseFromWebview({ type: 'exportExplanation', format: 'png', view }), { type: 'exportExplanation', format: 'png', view });
  });

  it('accepts explain runs for every method with in-range parameters', () => {
    const cases = [
      { method: 'gradient' },
      { method: 'gradient-x-input', target: 3 },
      { method: 'integrated-gradients', steps: 64, baseline: { kind: 'zeros' }, metrics: true },
      { method: 'integrated-gradients', steps: 1, baseline: { kind: 'blur' } },
      { method: 'smoothgrad', samples: 25, noise: 0.15, smoothVariant: 'vargrad' },
      { method: 'grad-cam', layer: 'conv2', relu: false },
      { method: 'occlusion', window: 4, stride: 2, fill: -0.5 },
    ];
    for (const options of cases) acceptedRun(run('explain', options, 0), options);
    // Absent optional fields stay absent: the engine applies its defaults (an explicit damping, say, is not raised).
    assert.deepStrictEqual(parseSectionOptions('explain', { method: 'gradient', target: undefined }), { method: 'gradient' });
    assert.deepStrictEqual(parseSectionOptions('influence', { method: 'self', top: 8 }), { method: 'self', top: 8 });
  });

  it('accepts influence runs: an input index unless self-influence, bounded label and top', () => {
    acceptedRun(run('influence', { method: 'influence' }, 0), { method: 'influence' });
    acceptedRun(run('influence', { method: 'influence', label: 2, top: 10 }, 3), { label: 2, top: 10 });
    acceptedRun(run('influence', { method: 'tracin', top: 100 }, 1099), { method: 'tracin', top: 100 });
    acceptedRun(run('influence', { method: 'self' }), { method: 'self' });
    acceptedRun(run('influence', { method: 'self', top: 1 }), { top: 1 });
    acceptedRun(run('influence', { method: 'influence', solver: 'exact', damping: 0.5 }, 0), { solver: 'exact', damping: 0.5 });
    // The parameter scope is a control of the panel's (a list of the model's layer names; the engine checks they exist).
    acceptedRun(run('influence', { method: 'tracin', layers: ['dense1', 'probs'] }, 0), { layers: ['dense1', 'probs'] });
    for (const message of [
      { type: 'openInfluenceExample', run: 4, index: 0 },
      { type: 'openInfluenceExample', run: 4, index: 199 },
    ]) {
      assert.deepStrictEqual(parseFromWebview(message), message, JSON.stringify(message));
    }
  });

  it('rejects hostile or malformed messages', () => {
    const ig = { method: 'integrated-gradients' };
    const explain = (options: unknown, input: unknown = 0) => run('explain', options, input);
    const influence = (options: unknown, input?: unknown) => run('influence', options, input);
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
      { type: 'sectionCancel', section: 'explain', run: 1 },
      { type: 'sectionCancel' },
      { type: 'sectionCancel', section: 'shell' },
      { type: 'rendered' },
      { type: 'rendered', modelPath: 7 },
      { type: 'rendered', modelPath: 'x'.repeat(5000) },
      { type: '__proto__' },
      JSON.parse('{"type":"ready","__proto__":{"polluted":true}}'),
      // the old per-section messages are gone
      { type: 'explain', input: 0, options: ig },
      { type: 'cancelExplain' },
      { type: 'findInfluence', method: 'self' },
      // predict: indices only
      { type: 'predict', sample: -1 },
      { type: 'predict', sample: 1.5 },
      { type: 'predict', sample: '0' },
      { type: 'predict', sample: 1e9 },
      // sectionRun: a known section, no paths, indices in range, known options only
      { type: 'sectionRun', input: 0, options: ig },
      { type: 'sectionRun', section: 'tcav', input: 0, options: ig },
      { type: 'sectionRun', section: 'explain', input: 0 },
      { type: 'sectionRun', section: 'explain', options: ig },
      explain(ig, -1),
      explain(ig, 0.5),
      explain(ig, '0'),
      explain(ig, 1e7),
      explain(ig, NaN),
      { ...explain(ig), inputPath: '/etc/passwd' },
      explain(ig, '/home/user/secret.png'),
      explain(null),
      explain([]),
      explain('integrated-gradients'),
      explain({}),
      explain({ method: 'shap' }),
      explain({ method: 'gradient', modelPath: '/tmp/evil/model.json' }),
      explain({ method: 'gradient', inputPath: '/etc/shadow' }),
      explain({ method: 'integrated-gradients', baseline: { kind: 'file', path: '/etc/passwd' } }),
      explain({ method: 'integrated-gradients', baseline: 'file' }),
      explain({ method: 'integrated-gradients', baseline: 'zeros' }),
      explain({ method: 'integrated-gradients', steps: 0 }),
      explain({ method: 'integrated-gradients', steps: 1e6 }),
      explain({ method: 'integrated-gradients', steps: 10.5 }),
      explain({ method: 'integrated-gradients', steps: '64' }),
      explain({ method: 'integrated-gradients', steps: Infinity }),
      explain({ method: 'integrated-gradients', internalBatch: 100000 }),
      explain({ method: 'integrated-gradients', quadrature: 'riemann-trapezoid' }),
      explain({ method: 'integrated-gradients', memoryBudgetMB: 3000 }),
      explain({ method: 'gradient', steps: 64 }),
      explain({ method: 'gradient', target: -1 }),
      explain({ method: 'gradient', target: 70000 }),
      explain({ method: 'gradient', target: 2.5 }),
      explain({ method: 'smoothgrad', samples: 0 }),
      explain({ method: 'smoothgrad', samples: 100000 }),
      explain({ method: 'smoothgrad', noise: -0.1 }),
      explain({ method: 'smoothgrad', noise: 11 }),
      explain({ method: 'smoothgrad', noise: NaN }),
      explain({ method: 'smoothgrad', smoothVariant: 'eval' }),
      explain({ method: 'grad-cam', layer: '' }),
      explain({ method: 'grad-cam', layer: 'x'.repeat(300) }),
      explain({ method: 'grad-cam', layer: 'conv1\u0000../../etc' }),
      explain({ method: 'grad-cam', layer: 5 }),
      explain({ method: 'grad-cam', relu: 'false' }),
      explain({ method: 'grad-cam', upsample: false }),
      explain({ method: 'occlusion', window: 0 }),
      explain({ method: 'occlusion', stride: 1e9 }),
      explain({ method: 'occlusion', fill: 1e300 }),
      explain({ method: 'occlusion', fill: -Infinity }),
      explain({ method: 'gradient', metrics: 1 }),
      explain({ method: 'gradient', seed: 1 }),
      explain(JSON.parse('{"method":"gradient","__proto__":{"polluted":true}}')),
      explain(Object.create({ method: 'gradient' })),
      // export: a format and a bounded view, nothing else
      { type: 'exportExplanation' },
      { type: 'exportExplanation', format: 'exe' },
      { type: 'exportExplanation', format: 'png', path: '/tmp/x.png' },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'jet', signed: true, opacity: 0.5 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: 'yes', opacity: 0.5 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true, opacity: 2 } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true } },
      { type: 'exportExplanation', format: 'png', view: { colormap: 'auto', signed: true, opacity: 0.5, extra: 1 } },
      { type: 'sectionRendered', section: 'explain', run: -1 },
      { type: 'sectionRendered', section: 'explain', run: 'latest' },
      { type: 'sectionRendered', section: 'explain' },
      { type: 'sectionRendered', run: 1 },
      // influence runs: no paths, a known method, indices and numbers in range
      influence(undefined, 0),
      influence({}, 0),
      influence({ method: 'trak' }, 0),
      influence({ method: 'influence' }),
      influence({ method: 'influence' }, -1),
      influence({ method: 'influence' }, 2.5),
      influence({ method: 'influence' }, '0'),
      influence({ method: 'influence' }, 1100),
      influence({ method: 'influence' }, '/home/user/digit.png'),
      influence({ method: 'influence', inputPath: '/etc/passwd' }, 0),
      influence({ method: 'influence', train: '/etc' }, 0),
      influence({ method: 'influence', cacheDir: '/tmp/evil' }, 0),
      influence({ method: 'tracin', checkpoints: [{ path: '/tmp/evil/model.json', learningRate: 1 }] }, 0),
      influence({ method: 'influence', layers: [] }, 0),
      influence({ method: 'influence', layers: ['dense', 'dense'] }, 0),
      influence({ method: 'influence', layers: 'dense' }, 0),
      influence({ method: 'influence', solver: 'lissa', lissaDepth: 10 }, 0),
      influence({ method: 'influence', solver: 'magic' }, 0),
      influence({ method: 'influence', damping: -1 }, 0),
      influence({ method: 'influence', label: -1 }, 0),
      influence({ method: 'influence', label: 1.5 }, 0),
      influence({ method: 'influence', label: 70000 }, 0),
      influence({ method: 'influence', top: 0 }, 0),
      influence({ method: 'influence', top: 10_001 }, 0),
      influence({ method: 'influence', top: Infinity }, 0),
      influence({ method: 'influence', top: '10' }, 0),
      influence({ method: 'influence', seed: 3 }, 0),
      influence({ method: 'self' }, 0),
      influence({ method: 'self', label: 1 }),
      { type: 'sectionRun', section: 'influence', options: JSON.parse('{"method":"self","__proto__":{"train":"/etc"}}') },
      JSON.parse('{"type":"sectionRun","section":"influence","options":{"method":"self"},"__proto__":{"input":0}}'),
      { type: 'sectionCancel', section: 'influence', run: 1 },
      { type: 'chooseTrain', path: '/data/train' },
      // openInfluenceExample: an index into the last result, never a location
      { type: 'openInfluenceExample', index: 0 },
      { type: 'openInfluenceExample', run: 1 },
      { type: 'openInfluenceExample', run: 1, index: -1 },
      { type: 'openInfluenceExample', run: 1, index: 20_000 },
      { type: 'openInfluenceExample', run: 1, index: 0.5 },
      { type: 'openInfluenceExample', run: 1, index: '0' },
      { type: 'openInfluenceExample', run: 1, index: 0, path: '/etc/passwd' },
      { type: 'openInfluenceExample', run: 1, index: 0, location: { path: '/etc/passwd', line: 1 } },
      { type: 'openInfluenceExample', run: 'last', index: 0 },
      { type: 'sectionRendered', section: 'influence', run: -5 },
      { type: 'sectionRendered', section: 'influence', run: 1, extra: true },
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    assert.strictEqual(({} as Record<string, unknown>).polluted, undefined);
  });

  it('concepts runs: TCAV by class, layers and concept names, or probes; no input, no paths, the section\'s methods only', () => {
    const tcav = { method: 'tcav', class: 0, layers: ['conv2', 'dense1'], concepts: ['striped', 'shaded'], runs: 5, alpha: 0.01, bonferroni: true };
    acceptedRun(run('concepts', tcav), tcav);
    acceptedRun(run('concepts', { method: 'tcav', class: 'zebra', layers: ['conv2'] }), { class: 'zebra', layers: ['conv2'] });
    acceptedRun(run('concepts', { method: 'probe' }), { method: 'probe' });
    acceptedRun(run('concepts', { method: 'probe', layers: ['conv1', 'pool1'] }), { layers: ['conv1', 'pool1'] });
    // Only what was given, and the method: the engine applies the defaults.
    assert.deepStrictEqual(parseSectionOptions('concepts', { method: 'tcav', class: 1, layers: ['conv2'] }), { method: 'tcav', class: 1, layers: ['conv2'] });
    assert.deepStrictEqual(parseFromWebview({ type: 'chooseConceptData', what: 'random' }), { type: 'chooseConceptData', what: 'random' });
    assert.deepStrictEqual(parseFromWebview({ type: 'removeConcept', name: 'striped' }), { type: 'removeConcept', name: 'striped' });
    const concepts = (options: unknown, input?: unknown) => run('concepts', options, input);
    const hostile: unknown[] = [
      concepts({ ...tcav, concepts: [{ name: 'striped', path: '/etc' }] }),
      concepts({ ...tcav, concepts: ['striped', 'striped'] }),
      concepts({ ...tcav, concepts: [] }),
      concepts({ ...tcav, random: '/etc' }),
      concepts({ ...tcav, inputs: '/home/user/data' }),
      concepts({ ...tcav, modelPath: '/tmp/evil/model.json' }),
      concepts({ ...tcav, seed: 3 }),
      concepts({ ...tcav, l2: 1 }),
      concepts({ ...tcav, runs: 1 }),
      concepts({ ...tcav, alpha: 1 }),
      concepts({ ...tcav, class: -1 }),
      concepts({ ...tcav, layers: [] }),
      concepts({ ...tcav, layers: ['conv2', 'conv2'] }),
      concepts({ method: 'tcav', layers: ['conv2'] }),
      concepts({ method: 'tcav', class: 0 }),
      concepts(tcav, 0),
      concepts({ method: 'probe', data: '/etc' }),
      concepts({ method: 'probe', maxExamples: 5000 }),
      concepts({ method: 'probe' }, 0),
      concepts({ method: 'icl' }),
      concepts({ method: 'constructor' }),
      concepts({ method: 'saliency' }),
      { type: 'sectionCompare', section: 'concepts', variants: [tcav, { ...tcav, random: '/etc' }] },
      { type: 'chooseConceptData' },
      { type: 'chooseConceptData', what: 'train' },
      { type: 'chooseConceptData', what: 'random', path: '/etc' },
      { type: 'removeConcept', name: '' },
      { type: 'removeConcept', name: 7 },
      { type: 'removeConcept', name: 'x'.repeat(300) },
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    assert.match(checkSectionOptions('concepts', { method: 'tcav', class: 0, layers: ['c'], runs: 1 }).problem ?? '', /^Runs must be an integer from 2 to 1000/);
  });

  it('compare, recall and export messages: variants that each pass as a run, kept runs by number, PNGs only as PNG data URIs', () => {
    const compare = { type: 'sectionCompare', section: 'explain', input: 2, variants: [{ method: 'gradient', metrics: true }, { method: 'integrated-gradients', steps: 16, metrics: true }] };
    assert.deepStrictEqual(parseFromWebview(compare), compare);
    const both = { type: 'sectionCompare', section: 'influence', input: 0, variants: [{ method: 'influence', top: 5 }, { method: 'tracin', top: 5 }] };
    assert.deepStrictEqual(parseFromWebview(both), both);
    assert.deepStrictEqual(parseFromWebview({ type: 'sectionRecall', section: 'influence', runs: [3, 7] }), { type: 'sectionRecall', section: 'influence', runs: [3, 7] });
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    assert.deepStrictEqual(parseFromWebview({ type: 'exportExplanation', format: 'png', run: 4, png }), { type: 'exportExplanation', format: 'png', run: 4, png });
    const hostile: unknown[] = [
      { ...compare, variants: [{ method: 'gradient' }] }, // one variant is not a comparison
      { ...compare, variants: Array.from({ length: 9 }, () => ({ method: 'gradient' })) },
      { ...compare, variants: [{ method: 'gradient' }, { method: 'gradient', inputPath: '/etc/passwd' }] },
      { ...compare, variants: [{ method: 'gradient' }, { method: 'gradient', steps: 4 }] }, // steps is not gradient's
      { ...compare, input: undefined },
      { ...compare, extra: 1 },
      { type: 'sectionCompare', section: 'influence', input: 0, variants: [{ method: 'influence' }, { method: 'self' }] }, // self takes no input
      { type: 'sectionCompare', section: 'influence', variants: [{ method: 'self' }, { method: 'self', top: 3 }], train: '/etc' },
      { type: 'sectionRecall', section: 'explain', runs: [] },
      { type: 'sectionRecall', section: 'explain', runs: [1.5] },
      { type: 'sectionRecall', section: 'explain', runs: Array.from({ length: 9 }, (_, i) => i) },
      { type: 'sectionRecall', section: 'nowhere', runs: [1] },
      { type: 'exportExplanation', format: 'json', png },
      { type: 'exportExplanation', format: 'png', png: 'data:image/svg+xml;base64,PHN2Zz4=' },
      { type: 'exportExplanation', format: 'png', png: 'javascript:alert(1)' },
      { type: 'exportExplanation', format: 'png', png: `data:image/png;base64,${'A'.repeat(25 * 1024 * 1024)}` },
      { type: 'exportExplanation', format: 'png', run: -1 },
    ];
    for (const message of hostile) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message).slice(0, 200));
  });

  it('ICL runs: no method, the provider by its index; never the spec, the provider, the model or a key from the panel', () => {
    acceptedRun(run('icl', { variants: ['original', 'flipped'], saliency: 'gradient' }, 0), { variants: ['original', 'flipped'], saliency: 'gradient' });
    acceptedRun(run('icl', { variants: ['flipped', 'neutral'], flipCount: 2, saliency: 'integrated-gradients', steps: 16 }, 3), { flipCount: 2, steps: 16 });
    acceptedRun(run('icl', { variants: ['original'], saliency: 'occlusion', topLogprobs: 20, timeout: 0.5, concurrency: 8 }, 1), { topLogprobs: 20, timeout: 0.5 });
    const parsed = acceptedRun(run('icl', {}, 0), {});
    assert.deepStrictEqual(parsed.options, {}, 'defaults are the engine\'s to apply');
    const refused = [
      run('icl', { specPath: '/etc/passwd' }, 0),
      run('icl', { provider: 'openai:http://10.0.0.5/v1' }, 0),
      run('icl', { model: 'gpt-4o' }, 0),
      run('icl', { apiKey: 'sk-…' }, 0),
      run('icl', { method: 'gradient' }, 0),
      run('icl', { variants: ['original', 'original'] }, 0),
      run('icl', { variants: ['sideways'] }, 0),
      run('icl', { variants: [] }, 0),
      run('icl', { steps: 8 }, 0), // steps need integrated-gradients
      run('icl', { saliency: 'shap' }, 0),
      run('icl', { topLogprobs: 3 }, 0),
      run('icl', { variants: ['original'] }), // no provider
      run('icl', { variants: ['original'] }, -1),
    ];
    for (const message of refused) assert.strictEqual(parseFromWebview(message), null, JSON.stringify(message));
    for (const action of ['chooseProvider', 'openSpec', 'setApiKey', 'openSettings']) assert.deepStrictEqual(parseFromWebview({ type: 'iclAction', action }), { type: 'iclAction', action });
    for (const bad of [{ type: 'iclAction' }, { type: 'iclAction', action: 'runShell' }, { type: 'iclAction', action: 'openSpec', path: '/etc/passwd' }]) assert.strictEqual(parseFromWebview(bad), null);
  });

  it("reads an ICL panel's saved state for its serializer: the spec and the latest run, nothing else", () => {
    assert.deepStrictEqual(parseSavedIclPanelState({ specPath: '/w/sentiment.icl.json', runs: { icl: 4, explain: 2 }, main: {} }), { specPath: '/w/sentiment.icl.json', run: 4 });
    assert.deepStrictEqual(parseSavedIclPanelState({ specPath: '/w/a.icl.json', runs: { icl: -1 } }), { specPath: '/w/a.icl.json' });
    for (const bad of [undefined, 'x', {}, { specPath: 3 }, { specPath: '' }, { specPath: '/etc/passwd' }, { modelPath: '/m/model.json' }]) assert.strictEqual(parseSavedIclPanelState(bad), null, JSON.stringify(bad));
  });

  it("reads the webview's saved state for the panel serializer: the model and the runs seen, nothing else", () => {
    assert.deepStrictEqual(parseSavedPanelState({ modelPath: '/m/model.json', runs: { explain: 3, influence: 2 }, main: {} }), {
      modelPath: '/m/model.json',
      runs: { explain: 3, influence: 2 },
    });
    assert.deepStrictEqual(parseSavedPanelState({ modelPath: '/m/model.json', runs: { explain: -1, influence: '2', tcav: 4 } }), { modelPath: '/m/model.json', runs: {} });
    for (const bad of [undefined, null, 'x', {}, { modelPath: 7 }, { modelPath: '' }, { modelPath: '/etc/passwd' }, { modelPath: `/${'x'.repeat(5000)}model.json` }]) {
      assert.strictEqual(parseSavedPanelState(bad), null, JSON.stringify(bad));
    }
  });
});
