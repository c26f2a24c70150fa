// Integration tests through the real `vscode` API, inside a real extension host
// (desktop VS Code via @vscode/test-electron, or code-server's server-side host).
// The workspace is examples/ (see the runners).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { SaliencyMethod, SaliencyResult } from '../../../src/protocol/saliency';
import { activate, example, EXTENSION_ID, hoverAt, poll, sleep, within, workspaceRoot } from './helpers';

const VIEW_TYPE = 'modelLens.model';
const REQUIRED_COMMANDS = ['modelLens.openModel', 'modelLens.explainInput', 'modelLens.showLog', 'modelLens.selectBackend'];
const BACKENDS = ['tensorflow', 'wasm', 'cpu'];

function modelLensTabs(): vscode.Tab[] {
  const tabs: vscode.Tab[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      // viewType may carry a prefix, e.g. "mainThreadWebview-modelLens.model".
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes(VIEW_TYPE)) tabs.push(tab);
    }
  }
  return tabs;
}

async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await poll(() => modelLensTabs().length === 0 || undefined, 10_000, 'Model Lens tabs to close').catch(() => undefined);
}

/**
 * Records the extension's error notifications: the tests share the extension's `vscode` API
 * object, so wrapping window.showErrorMessage sees its calls. Call restore() when done.
 */
function spyOnErrorMessages(): { notified: string[]; restore(): void } {
  const notified: string[] = [];
  const win = vscode.window as { showErrorMessage: (...args: unknown[]) => unknown };
  const original = win.showErrorMessage;
  win.showErrorMessage = (...args: unknown[]) => {
    notified.push(String(args[0]));
    return original.apply(vscode.window, args);
  };
  return { notified, restore: () => (win.showErrorMessage = original) };
}

/** Closes every editor, opens an example model through the command and waits until its panel has drawn. */
async function openExample(api: ModelLensApi, rel: string): Promise<{ modelPath: string; tab: vscode.Tab }> {
  await closeAllEditors();
  const modelPath = example(rel);
  await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(modelPath)), 120_000, `modelLens.openModel(${rel})`);
  const tab = await poll(() => modelLensTabs()[0], 30_000, `a webview tab with viewType containing ${VIEW_TYPE}`);
  await within(api.whenRendered(modelPath), 120_000, `api.whenRendered(${rel})`);
  return { modelPath, tab };
}

describe('Model Lens extension (real VS Code)', function () {
  this.timeout(180_000);
  let api: ModelLensApi;

  before(function () {
    console.log(
      `VS Code ${vscode.version}, uiKind=${vscode.UIKind[vscode.env.uiKind]}, appHost=${vscode.env.appHost}, ` +
        `workspace=${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath}`,
    );
  });

  it('is installed and activates, returning its API', async function () {
    api = await activate();
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, 'extension is not active after activate()');
    assert.ok(api, 'activate() returned no API object');
    for (const fn of ['backend', 'statusBarText', 'openPanels', 'whenRendered'] as const) {
      assert.strictEqual(typeof api[fn], 'function', `API lacks ${fn}()`);
    }
  });

  it('registers all its modelLens.* commands', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = (ext.packageJSON?.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    const expected = [...new Set([...REQUIRED_COMMANDS, ...contributed.filter((c) => c.startsWith('modelLens.'))])];
    for (const c of REQUIRED_COMMANDS) assert.ok(contributed.includes(c), `package.json does not contribute ${c}`);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = expected.filter((c) => !all.has(c));
    assert.deepStrictEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('reports a backend and shows it in the status bar', async function () {
    assert.ok(api, 'extension did not activate');
    const backend = await within(api.backend(), 120_000, 'api.backend()');
    assert.ok(BACKENDS.includes(backend), `backend() returned ${JSON.stringify(backend)}, expected one of ${BACKENDS}`);
    const text = api.statusBarText();
    console.log(`    backend: ${backend}; status bar: ${JSON.stringify(text)}`);
    assert.ok(text.includes(backend), `status bar text ${JSON.stringify(text)} does not mention backend ${backend}`);
  });

  it('opens examples/mnist-cnn/model.json in a webview panel beside the editor', async function () {
    assert.ok(api, 'extension did not activate');
    const { modelPath, tab } = await openExample(api, 'mnist-cnn/model.json');
    assert.strictEqual(tab.label, 'Model Lens: mnist-cnn');
    assert.deepStrictEqual(api.panelState(modelPath), { state: 'summary' });
    const panels = api.openPanels().map((p) => path.resolve(p));
    assert.ok(panels.includes(path.resolve(modelPath)), `openPanels() = ${JSON.stringify(panels)} lacks ${modelPath}`);
    // The status bar still names the backend once a model is loaded.
    const backend = await api.backend();
    assert.ok(api.statusBarText().includes(backend));
  });

  describe('with a broken model', function () {
    let brokenDir: string | undefined;

    before(function () {
      brokenDir = fs.mkdtempSync(path.join(workspaceRoot(), '.model-lens-test-broken-'));
      fs.writeFileSync(
        path.join(brokenDir, 'model.json'),
        '{ "format": "layers-model", "modelTopology": { "this is": not json',
      );
    });

    after(function () {
      if (brokenDir) fs.rmSync(brokenDir, { recursive: true, force: true });
    });

    it('shows an error and keeps working for a later valid model', async function () {
      assert.ok(api, 'extension did not activate');
      await closeAllEditors();
      const brokenPath = path.join(brokenDir!, 'model.json');

      const { notified, restore } = spyOnErrorMessages();
      try {
        await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(brokenPath)), 120_000, 'modelLens.openModel(broken)');
        await within(api.whenRendered(brokenPath), 120_000, 'whenRendered(broken)');
      } finally {
        restore();
      }
      const state = api.panelState(brokenPath);
      assert.ok(state?.state === 'error', `the panel shows ${JSON.stringify(state)}, not the error`);
      assert.strictEqual(state.code, 'INVALID_JSON');
      assert.match(state.message, /model\.json is not valid JSON/);
      assert.ok(notified.some((m) => /not valid JSON/.test(m)), `no error notification: ${JSON.stringify(notified)}`);

      // The extension still works afterwards.
      await openExample(api, 'mnist-cnn/model.json');
      const backend = await api.backend();
      assert.ok(BACKENDS.includes(backend));
    });
  });

  describe('Explain (saliency)', function () {
    const tempFiles: string[] = [];

    after(function () {
      for (const f of tempFiles) fs.rmSync(f, { recursive: true, force: true });
    });

    it('runs every method on an example image through modelLens.explainInput (options object)', async function () {
      assert.ok(api, 'extension did not activate');
      const modelPath = example('mnist-cnn/model.json');
      const imagePath = example('mnist-cnn/samples/digit-3-0.png');
      const methods: SaliencyMethod[] = ['gradient', 'gradient-x-input', 'smoothgrad', 'grad-cam', 'occlusion'];
      for (const method of methods) {
        const options = method === 'smoothgrad' ? { method, samples: 8 } : { method };
        const result = await within(
          vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', { model: modelPath, input: imagePath, options }),
          120_000,
          `modelLens.explainInput ${method}`,
        );
        assert.ok(result, `${method}: the command returned no result`);
        assert.strictEqual(result.method, method);
        assert.strictEqual(result.target, 3, `${method}: target ${result.target}`);
        const [h, w] = result.attribution.shape;
        assert.ok(h > 0 && w > 0 && result.attribution.data.length > 0, `${method}: attribution shape ${JSON.stringify(result.attribution.shape)}`);
        assert.ok(result.attribution.data.some((v) => v !== 0), `${method}: the attribution is all zeros`);
        assert.ok(typeof result.summary === 'string' && result.summary.length > 0, `${method}: no summary`);
        console.log(`    ${method}: ${result.summary} (${Math.round(result.ms)} ms)`);
      }
      assert.strictEqual(api.lastAttribution(imagePath)?.method, 'occlusion');
    });

    it("keeps the extension host's event loop ticking while the engine computes", async function () {
      const modelPath = example('mnist-cnn/model.json');
      // digit-0-0 stays uncached for the hover test below; digit-3-0 is explained above already.
      const imagePath = example('mnist-cnn/samples/digit-3-0.png');
      // A long job (about a second or more): SmoothGrad with 256 samples, plus metrics.
      const job = vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', {
        model: modelPath,
        input: imagePath,
        options: { method: 'smoothgrad', samples: 256, metrics: true },
      });
      let last = Date.now();
      let worstGap = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        const now = Date.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
        ticks++;
      }, 20);
      const started = Date.now();
      let result: SaliencyResult | undefined;
      try {
        result = await within(job, 180_000, 'a long SmoothGrad run');
      } finally {
        clearInterval(timer);
      }
      const took = Date.now() - started;
      console.log(`    ${took} ms of engine work; host timer: ${ticks} ticks, worst gap ${worstGap} ms`);
      assert.ok(result, 'the long run returned no result');
      assert.ok(took > 300, `the job was too short (${took} ms) to say anything`);
      // Work in the host's thread would stall the timer for the whole job; out of process it ticks on.
      assert.ok(worstGap < Math.max(250, took / 4), `the host's event loop stalled for ${worstGap} ms during a ${took} ms job`);
    });

    it('modelLens.explainInput(model uri, image uri) runs Integrated Gradients on digit-7-0.png and the panel shows it', async function () {
      assert.ok(api, 'extension did not activate');
      await closeAllEditors();
      const modelPath = example('mnist-cnn/model.json');
      const imagePath = example('mnist-cnn/samples/digit-7-0.png');
      const result = await within(
        vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', vscode.Uri.file(modelPath), vscode.Uri.file(imagePath)),
        180_000,
        'modelLens.explainInput(model, image)',
      );
      assert.ok(result, 'the command returned no result');
      assert.strictEqual(result.method, 'integrated-gradients');
      assert.strictEqual(result.target, 7);
      assert.deepStrictEqual(result.attribution.shape, [28, 28, 1]);
      assert.ok(typeof result.completenessDelta === 'number', 'no completeness delta');

      const last = api.lastAttribution(imagePath);
      assert.ok(last, 'lastAttribution(digit-7-0.png) is undefined');
      assert.strictEqual(last.method, 'integrated-gradients');
      assert.strictEqual(last.target, 7);
      assert.strictEqual(api.lastAttribution(modelPath)?.method, 'integrated-gradients', 'lastAttribution(model.json)');

      // The panel opened beside the editor and drew the heatmap.
      await poll(() => modelLensTabs()[0], 30_000, 'the Model Lens tab');
      const state = await poll(
        () => {
          const s = api.panelState(modelPath);
          return s?.explanation?.rendered ? s : undefined;
        },
        60_000,
        'the panel to draw the heatmap',
      );
      assert.strictEqual(state.explanation?.method, 'integrated-gradients');
      assert.strictEqual(state.explanation?.target, 7);
    });

    it('hovering "samples/digit-7-0.png" in a source file shows the cached attribution', async function () {
      assert.ok(api?.lastAttribution(example('mnist-cnn/samples/digit-7-0.png')), 'no attribution to show (previous test failed)');
      const file = path.join(workspaceRoot(), 'mnist-cnn', '.model-lens-hover-test.ts');
      tempFiles.push(file);
      const texts = await hoverAt(file, 'const sample = loadImage("samples/digit-7-0.png");', 'samples/digit-7-0.png');
      const ours = texts.find((t) => t.includes('Model Lens'));
      assert.ok(ours, `no Model Lens hover among ${JSON.stringify(texts)}`);
      assert.ok(ours.includes('Integrated Gradients'), `hover lacks the method: ${ours}`);
      assert.match(ours, /Target class \*\*7\*\*/, `hover lacks the target class 7: ${ours}`);
      assert.match(ours, /p = \d+\.\d%/, `hover lacks the probability: ${ours}`);
      assert.ok(ours.includes('command:modelLens.explainInput'), `hover lacks the command link: ${ours}`);
      // The link names the method it runs, and runs that one.
      assert.match(ours, /"Run Integrated Gradients again"\)/, `the link does not name the method it runs: ${ours}`);
      const args = /command:modelLens\.explainInput\?([^ )"]+)/.exec(ours)?.[1];
      assert.ok(args && decodeURIComponent(args).includes('"method":"integrated-gradients"'), `the link does not run the cached method: ${ours}`);
      const image = /!\[[^\]]*\]\((file:[^)|\\]+)/.exec(ours);
      assert.ok(image, `hover has no thumbnail: ${ours}`);
      assert.ok(fs.existsSync(vscode.Uri.parse(image[1]).fsPath), `thumbnail ${image[1]} does not exist`);

      // A checkpoint path shows the latest attribution made with that model.
      const modelFile = path.join(workspaceRoot(), '.model-lens-hover-test.js');
      tempFiles.push(modelFile);
      const modelTexts = await hoverAt(modelFile, "const model = await tf.loadLayersModel('file://' + 'mnist-cnn/model.json');", 'mnist-cnn/model.json');
      const modelHover = modelTexts.find((t) => t.includes('Model Lens'));
      assert.ok(modelHover, `no Model Lens hover over the model path among ${JSON.stringify(modelTexts)}`);
      assert.ok(modelHover.includes('Integrated Gradients') && modelHover.includes('digit-7-0.png'), `model hover: ${modelHover}`);
    });

    it('a path with nothing cached gets only the command link, and hovering computes nothing', async function () {
      const imagePath = example('mnist-cnn/samples/digit-0-0.png');
      assert.strictEqual(api.lastAttribution(imagePath), undefined);
      const file = path.join(workspaceRoot(), 'mnist-cnn', '.model-lens-hover-test.py');
      tempFiles.push(file);
      const texts = await hoverAt(file, "img = Image.open('samples/digit-0-0.png')", 'digit-0-0');
      const ours = texts.find((t) => t.includes('command:modelLens.explainInput'));
      assert.ok(ours, `no Model Lens hover among ${JSON.stringify(texts)}`);
      assert.ok(!/Integrated Gradients|Target class/.test(ours), `nothing is cached, yet the hover shows a result: ${ours}`);
      await sleep(1000);
      assert.strictEqual(api.lastAttribution(imagePath), undefined, 'the hover started a computation');
    });

    it('a new run supersedes (cancels) the running one', async function () {
      const modelPath = example('mnist-cnn/model.json');
      const slow = vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', {
        model: modelPath,
        input: example('mnist-cnn/samples/digit-9-0.png'),
        options: { method: 'smoothgrad', samples: 256, metrics: true },
      });
      await sleep(300);
      const fast = await within(
        vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', {
          model: modelPath,
          input: example('mnist-cnn/samples/digit-5-0.png'),
          options: { method: 'gradient' },
        }),
        120_000,
        'the second run',
      );
      const first = await within(slow, 120_000, 'the superseded run to settle');
      assert.strictEqual(first, undefined, 'the superseded run still returned a result');
      assert.strictEqual(fast?.method, 'gradient');
      assert.strictEqual(fast?.target, 5);
      const state = await poll(() => (api.panelState(modelPath)?.explanation?.rendered ? api.panelState(modelPath) : undefined), 30_000, 'the panel to draw the second run');
      assert.strictEqual(state.explanation?.method, 'gradient');
      assert.strictEqual(api.lastAttribution(example('mnist-cnn/samples/digit-9-0.png')), undefined, 'the cancelled run was cached');
    });

    it('a panel run with target 9, then one with no target (the form\'s "Predicted class"), explains the predicted class', async function () {
      const modelPath = example('mnist-cnn/model.json');
      const sidecar = JSON.parse(fs.readFileSync(example('mnist-cnn/model.lens.json'), 'utf8')) as { data: { samples: string[] } };
      const inputPath = example(path.join('mnist-cnn', sidecar.data.samples[0]));
      const runOf = (options: Record<string, unknown>) => ({ type: 'sectionRun', section: 'explain', input: 0, options });
      const finished = async (after: number) =>
        poll(() => {
          const e = api.panelState(modelPath)?.explanation;
          return e && e.run > after && e.state !== 'running' ? e : undefined;
        }, 60_000, `an explanation after run ${after}`);
      const before = api.panelState(modelPath)?.explanation?.run ?? 0;
      assert.ok(api.sendFromWebview(modelPath, runOf({ method: 'gradient', target: 9 })), 'the host refused a valid run');
      const nine = await finished(before);
      assert.strictEqual(nine.state, 'result', JSON.stringify(nine));
      assert.strictEqual(nine.target, 9);
      assert.ok(api.sendFromWebview(modelPath, runOf({ method: 'gradient' })), 'the host refused a valid run');
      const predicted = await finished(nine.run);
      assert.strictEqual(predicted.state, 'result', JSON.stringify(predicted));
      const top = api.lastAttribution(inputPath)?.prediction[0]?.index;
      assert.strictEqual(predicted.target, top, `the run without a target explained ${predicted.target}, not the predicted class ${top}`);
      assert.notStrictEqual(predicted.target, 9);
    });

    it('a failed run shows the error in the panel and a notification', async function () {
      const modelPath = example('mnist-cnn/model.json');
      const corrupt = path.join(workspaceRoot(), 'mnist-cnn', '.model-lens-test-corrupt.png');
      fs.writeFileSync(corrupt, Buffer.from('\x89PNG\r\n\x1a\nthis is not a png', 'binary'));
      tempFiles.push(corrupt);
      const { notified, restore } = spyOnErrorMessages();
      let result: SaliencyResult | undefined;
      try {
        result = await within(
          vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', vscode.Uri.file(modelPath), vscode.Uri.file(corrupt)),
          120_000,
          'modelLens.explainInput(corrupt image)',
        );
      } finally {
        restore();
      }
      assert.strictEqual(result, undefined);
      const state = api.panelState(modelPath);
      assert.strictEqual(state?.explanation?.state, 'error', `panel explanation: ${JSON.stringify(state?.explanation)}`);
      assert.strictEqual(state?.explanation?.code, 'INVALID_INPUT');
      assert.ok(notified.some((m) => /Integrated Gradients failed/.test(m)), `no error notification: ${JSON.stringify(notified)}`);
      // The previous result is still the cached one.
      assert.strictEqual(api.lastAttribution(example('mnist-cnn/samples/digit-7-0.png'))?.method, 'integrated-gradients');
    });
  });

  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
