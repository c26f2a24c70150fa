// Integration (issue 12): Model Lens: Test Concepts (TCAV) in the real editor, on
// examples/concepts-cnn (zebra images always striped; 'shaded' present at random in every class).
// The command runs TCAV in the panel's Concepts section (with arguments, and through its quick
// picks); the section keeps the result, shows progress and Cancel, runs the probes, takes concept
// folders and labelled data from the host's dialog; a layer name in source code hovers with the
// layer's shape and latest scores, computing nothing; bad input gets one clear message and the
// extension keeps working. The panel is driven as its webview would drive it (api.sendFromWebview).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { ConceptsState } from '../../../src/extension/concepts/conceptSection';
import type { TcavResult } from '../../../src/protocol/concepts';
import { activate, example, hoverAt, onWindow, poll, sleep, within } from './helpers';

const testConcepts = (args: unknown) => within(vscode.commands.executeCommand<TcavResult | undefined>('modelLens.testConcepts', args), 240_000, `testConcepts ${JSON.stringify(args)}`);

/** Texts of the hovers at the middle of `inside` on the second line of a temporary source file. */
describe('Concepts (Test Concepts (TCAV), real VS Code)', function () {
  this.timeout(300_000);
  let api: ModelLensApi;
  let modelPath: string;
  let first: TcavResult | undefined;
  const temp: string[] = [];
  const concepts = (): ConceptsState | undefined => api.panelState(modelPath)?.concepts;
  /** The section's state once `run` (or a later one) has settled: a drawn result or an error. */
  const settled = (after: number, what: string) =>
    poll(() => {
      const s = concepts();
      return s && s.run > after && (s.state === 'error' || (s.state === 'result' && s.rendered)) ? s : undefined;
    }, 240_000, what);

  before(async function () {
    api = await activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    modelPath = example('concepts-cnn/model.json');
  });

  after(async function () {
    for (const f of temp) fs.rmSync(f, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('modelLens.testConcepts runs TCAV for zebra at conv2 and dense1 with the sidecar\'s concepts; the section shows that result, with progress', async function () {
    first = await testConcepts({ model: modelPath, class: 'zebra', layers: ['conv2', 'dense1'], runs: 5 });
    assert.ok(first, 'the command returned no result');
    assert.deepStrictEqual([first.class, first.classIndex, first.gradientOf], ['zebra', 0, 'logit']);
    assert.deepStrictEqual(first.options.concepts?.map((c) => [c.name, path.relative(path.dirname(modelPath), c.path)]), [
      ['striped', path.join('concepts', 'striped')],
      ['shaded', path.join('concepts', 'shaded')],
    ]);
    assert.deepStrictEqual(first.randomSets, { path: example('concepts-cnn/random'), kind: 'sets', runs: 5, size: 50 });
    assert.deepStrictEqual(first.results.map((r) => `${r.concept}@${r.layer}`), ['striped@conv2', 'striped@dense1', 'shaded@conv2', 'shaded@dense1']);
    // The planted concept: zebras are always striped.
    for (const r of first.results.filter((x) => x.concept === 'striped')) assert.ok(r.score >= 0.9 && r.significant, `striped at ${r.layer}: ${r.score}, p ${r.pValue}`);
    const state = await settled(0, 'the panel to draw the TCAV result');
    assert.strictEqual(state.state, 'result', state.message);
    assert.strictEqual(state.method, 'tcav');
    assert.deepStrictEqual(state.tcav?.results, first.results, 'the panel got another result than the command returned');
    assert.deepStrictEqual(state.history, [state.run]);
    assert.ok(state.progress && state.progress.total > 0 && state.progress.done === state.progress.total, `progress: ${JSON.stringify(state.progress)}`);
    assert.deepStrictEqual(state.concepts, ['striped', 'shaded']);
    console.log(`    ${first.tests} tests, ${first.randomSets.runs} runs in ${Math.round(first.ms)} ms (activations ${Math.round(first.timings.activationsMs)} ms); progress: ${state.progress.message}`);
  });

  it('from the palette: quick picks for the class, the layers (the last two with weights offered first) and the concepts', async function () {
    const asked: string[] = [];
    const pick = onWindow('showQuickPick', (items: unknown, options: unknown) => {
      const placeHolder = String((options as vscode.QuickPickOptions).placeHolder);
      asked.push(placeHolder);
      const list = items as (vscode.QuickPickItem & { name?: string })[];
      if (/^Which model/.test(placeHolder)) return Promise.resolve(list.find((i) => i.label === 'concepts-cnn/model.json'));
      if (/^Which class/.test(placeHolder)) return Promise.resolve(list.find((i) => i.label === 'horse'));
      if (/^Which layers/.test(placeHolder)) return Promise.resolve(list.filter((i) => i.picked));
      if (/^Which concepts/.test(placeHolder)) return Promise.resolve(list.filter((i) => i.name === 'striped'));
      return Promise.resolve(undefined);
    });
    try {
      const before = concepts()!.run;
      const result = await testConcepts(undefined);
      assert.ok(result, `no result; asked: ${asked.join(' | ')}`);
      assert.deepStrictEqual(asked.filter((a) => !/^Which model/.test(a)).map((a) => a.split('?')[0]), ['Which class', 'Which layers', 'Which concepts']);
      assert.deepStrictEqual([result.class, result.random.map((r) => r.layer), result.options.concepts?.map((c) => c.name)], ['horse', ['conv2', 'dense1'], ['striped']]);
      // Striped is the zebra's concept: for horses it points the other way (never significant upwards).
      for (const r of result.results) assert.ok(!(r.significant && r.score > 0.5), `striped → horse at ${r.layer}: ${r.score}, p ${r.pValue}`);
      const state = await settled(before, 'the palette run drawn');
      assert.strictEqual(state.tcav?.class, 'horse');
      assert.strictEqual(state.history.length, 2);
    } finally {
      pick.restore();
    }
  });

  it('from the explorer on a concept folder: the model whose folder holds it, that concept alone', async function () {
    const folder = vscode.Uri.file(example('concepts-cnn/concepts/striped'));
    const asked: string[] = [];
    const pick = onWindow('showQuickPick', (items: unknown, options: unknown) => {
      const placeHolder = String((options as vscode.QuickPickOptions).placeHolder);
      asked.push(placeHolder.split('?')[0]);
      const list = items as vscode.QuickPickItem[];
      if (/^Which class/.test(placeHolder)) return Promise.resolve(list.find((i) => i.label === 'zebra'));
      if (/^Which layers/.test(placeHolder)) return Promise.resolve(list.filter((i) => i.label === 'pool2'));
      return Promise.resolve(undefined);
    });
    try {
      const before = concepts()!.run;
      const result = await testConcepts(folder);
      assert.deepStrictEqual(asked, ['Which class', 'Which layers'], 'asked for the model or the concepts');
      assert.ok(result, 'no result');
      assert.deepStrictEqual([result.class, result.random.map((r) => r.layer), result.options.concepts?.map((c) => c.name)], ['zebra', ['pool2'], ['striped']]);
      assert.ok(result.results[0].score >= 0.9 && result.results[0].significant, JSON.stringify(result.results[0]));
      await settled(before, 'the explorer run drawn');
      // The sidecar's own folder: offered once, under its sidecar name.
      assert.deepStrictEqual(concepts()!.concepts, ['striped', 'shaded']);
    } finally {
      pick.restore();
    }
  });

  it("hovering a layer name in a model-building script shows the layer's output shape and its latest concept scores, and computes nothing", async function () {
    const run = concepts()!.run;
    const py = path.join(path.dirname(modelPath), '.model-lens-layer-hover.py');
    temp.push(py);
    const texts = await hoverAt(py, "model.add(layers.Conv2D(16, 3, activation='relu', name='conv2'))", 'conv2');
    const ours = texts.find((t) => t.includes('**Model Lens** · layer'));
    assert.ok(ours, `no layer hover among ${JSON.stringify(texts)}`);
    // The model with scores first: concepts-cnn's conv2 (mnist-cnn has a conv2 too).
    const section = ours.split('\n\n---\n\n')[0];
    assert.match(section, /layer `conv2` · Conv2D · output \\\[\?, 13, 13, 16\\\] · 1,168 parameters/);
    assert.match(section, /model `concepts-cnn\/model\.json`/);
    // The latest run at conv2: horse (the palette's), striped only (the explorer's run was at pool2).
    assert.match(section, /TCAV for class \*\*horse\*\* · 20 runs/);
    assert.match(section, /S: the derivative of the class logit/);
    assert.match(section, /\| striped \| \d\.\d\d ± \d\.\d\d \| [\d.e-]+ \| (\*\*significant\*\*|not significant) · CAV (near chance \()?0\.\d\d/);
    assert.match(section, /\| \*random\* \| \d\.\d\d ± \d\.\d\d \| \| baseline \|/);
    assert.ok(section.includes('command:modelLens.testConcepts'), section);
    // A TypeScript model: the same in a string of an object literal.
    const ts = path.join(path.dirname(modelPath), '.model-lens-layer-hover.ts');
    temp.push(ts);
    const tsTexts = await hoverAt(ts, "model.add(tf.layers.dense({ units: 32, activation: 'relu', name: 'dense1' }));", 'dense1');
    assert.ok(tsTexts.some((t) => /layer `dense1` · Dense · output \\\[\?, 32\\\]/.test(t) && /TCAV for class \*\*horse\*\*/.test(t)), JSON.stringify(tsTexts));
    // A layer without scores: its shape, and no scores yet; nothing runs.
    const plain = await hoverAt(py, "x = model.get_layer('pool1')", 'pool1');
    assert.ok(plain.some((t) => /layer `pool1` · MaxPooling2D/.test(t) && /No concept scores for this layer yet/.test(t)), JSON.stringify(plain));
    // Not a layer: no hover of ours.
    const none = await hoverAt(py, "x = 'not-a-layer-name'", 'not-a-layer');
    assert.ok(!none.some((t) => t.includes('**Model Lens** · layer')), JSON.stringify(none));
    await sleep(1000);
    assert.strictEqual(concepts()!.run, run, 'a hover started a run');
  });

  it('bad input: a class that does not exist, an empty concept folder, an unknown layer, no concepts at all → one clear message each; the extension keeps working', async function () {
    const errors = onWindow('showErrorMessage', () => Promise.resolve(undefined));
    const warnings = onWindow('showWarningMessage', () => Promise.resolve(undefined));
    try {
      assert.strictEqual(await testConcepts({ model: modelPath, class: 'unicorn', layers: ['conv2'] }), undefined);
      assert.match(String(errors.calls.at(-1)?.[0]), /"unicorn" is not a class of concepts-cnn\/model\.json: its classes are 0 zebra, 1 horse, 2 field\./);

      const empty = path.join(path.dirname(modelPath), '.model-lens-empty-concept');
      fs.mkdirSync(empty, { recursive: true });
      temp.push(empty);
      let before = concepts()!.run;
      assert.strictEqual(await testConcepts({ model: modelPath, class: 0, layers: ['conv2'], conceptPaths: [empty], runs: 3 }), undefined);
      let state = await settled(before, 'the empty concept refused');
      assert.strictEqual(state.state, 'error');
      assert.match(state.message ?? '', /\.model-lens-empty-concept: no usable examples in the concept '\.model-lens-empty-concept': it holds no examples/);
      assert.match(String(errors.calls.at(-1)?.[0]), /TCAV failed: .*no usable examples/);
      // The folder was offered as a concept (as from the explorer): no longer.
      assert.ok(api.sendFromWebview(modelPath, { type: 'removeConcept', name: '.model-lens-empty-concept' }));
      await poll(() => (concepts()!.concepts.length === 2 ? true : undefined), 10_000, 'the empty concept removed');

      before = state.run;
      assert.strictEqual(await testConcepts({ model: modelPath, class: 0, layers: ['conv9'], concepts: ['striped'], runs: 3 }), undefined);
      state = await settled(before, 'the unknown layer refused');
      assert.match(state.message ?? '', /no layer named 'conv9'; its layers: conv1_input, conv1, pool1, conv2, pool2, flatten, dense1, probs/);

      // A model whose sidecar names no concepts (mnist-cnn): the command says so and offers to add some.
      const mnist = example('mnist-cnn/model.json');
      const asked = warnings.calls.length;
      assert.strictEqual(await testConcepts({ model: mnist, class: 7, layers: ['conv2'] }), undefined);
      assert.match(String(warnings.calls[asked]?.[0]), /no concepts to test\. The sidecar names none \(data\.concepts\)/);
      assert.deepStrictEqual(warnings.calls[asked].slice(1), ['Add Concept Folders…', 'Edit Sidecar']);
      // The same from its panel: the section says what to do.
      assert.ok(api.sendFromWebview(mnist, { type: 'sectionRun', section: 'concepts', options: { method: 'tcav', class: 7, layers: ['conv2'] } }));
      const refused = await poll(() => (api.panelState(mnist)?.concepts?.state === 'error' ? api.panelState(mnist)?.concepts : undefined), 60_000, 'the mnist-cnn Concepts section to refuse');
      assert.strictEqual(refused.code, 'BAD_REQUEST');
      assert.match(refused.message ?? '', /No concepts to test: the sidecar names none \(data\.concepts\) and none was chosen/);
    } finally {
      errors.restore();
      warnings.restore();
    }
    // Still working: a good run after all that.
    const before = concepts()!.run;
    const ok = await testConcepts({ model: modelPath, class: 'zebra', layers: ['conv2'], concepts: ['striped'], runs: 3 });
    assert.ok(ok && ok.results[0].score >= 0.9, JSON.stringify(ok?.results));
    assert.strictEqual((await settled(before, 'the good run')).state, 'result');
  });

  it('Cancel stops a running TCAV run; the section keeps the previous result', async function () {
    const previous = concepts()!;
    assert.ok(
      api.sendFromWebview(modelPath, { type: 'sectionRun', section: 'concepts', options: { method: 'tcav', class: 2, layers: ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1'], runs: 20 } }),
    );
    await poll(() => (concepts()!.run > previous.run && concepts()!.state === 'running' ? true : undefined), 60_000, 'the run to start');
    assert.ok(api.sendFromWebview(modelPath, { type: 'sectionCancel', section: 'concepts' }));
    const state = await settled(previous.run, 'the cancelled run');
    assert.deepStrictEqual([state.state, state.code], ['error', 'CANCELLED']);
    assert.deepStrictEqual(state.history, previous.history, 'a cancelled run was kept in the history');
  });

  it('linear probes from the panel, on labelled data chosen through the host dialog; concept folders chosen the same way', async function () {
    const probe = example('concepts-cnn/data/probe');
    const dialog = onWindow('showOpenDialog', () => Promise.resolve([vscode.Uri.file(probe)]));
    try {
      assert.ok(api.sendFromWebview(modelPath, { type: 'chooseConceptData', what: 'probeData' }));
      await poll(() => dialog.calls.length || undefined, 10_000, 'the dialog');
      await sleep(300);
      const before = concepts()!.run;
      assert.ok(api.sendFromWebview(modelPath, { type: 'sectionRun', section: 'concepts', options: { method: 'probe', layers: ['conv1_input', 'pool1', 'dense1'] } }));
      const state = await settled(before, 'the probes');
      assert.strictEqual(state.state, 'result', state.message);
      assert.deepStrictEqual(state.probe?.data.labels, ['plain', 'striped']);
      assert.strictEqual(state.probe?.data.path, probe);
      // Stripes are read from pool1 on, not from the pixels (the planted example's truth).
      const at = (l: string) => state.probe!.layers.find((x) => x.layer === l)!;
      assert.ok(at('conv1_input').accuracy <= 0.7 && at('pool1').accuracy >= 0.9 && at('dense1').selectivity >= 0.3, JSON.stringify(state.probe?.layers));

      // A concept folder from the dialog joins the sidecar's (named after itself, made unique), and can be removed again.
      const striped = path.join(probe, 'striped');
      dialog.restore();
      const conceptDialog = onWindow('showOpenDialog', () => Promise.resolve([vscode.Uri.file(striped)]));
      try {
        assert.ok(api.sendFromWebview(modelPath, { type: 'chooseConceptData', what: 'concepts' }));
        await poll(() => (concepts()!.concepts.includes('striped (2)') ? true : undefined), 10_000, 'the chosen concept offered');
        assert.ok(api.sendFromWebview(modelPath, { type: 'removeConcept', name: 'striped (2)' }));
        await poll(() => (!concepts()!.concepts.includes('striped (2)') ? true : undefined), 10_000, 'the chosen concept removed');
        assert.deepStrictEqual(concepts()!.concepts, ['striped', 'shaded']);
      } finally {
        conceptDialog.restore();
      }
    } finally {
      dialog.restore();
    }
  });
});
