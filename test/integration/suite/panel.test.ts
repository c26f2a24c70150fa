// Integration (issue 11): the panel in the real editor. Editor groups stay put (commands, hover
// links, errors, opened examples and sidecars), short runs show no notification, comparisons run
// as one group kept in the history, Save PNG writes the panel's picture to the output folder,
// pickers offer only inputs the model takes, the model pick lists models (not checkpoints), and
// the influence parameter scope is a panel control. The webview's DOM is the e2e tests' part;
// here the panel is driven as its webview would drive it (api.sendFromWebview).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { PNG } from 'pngjs';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { InfluenceResult } from '../../../src/protocol/influence';
import type { SaliencyResult } from '../../../src/protocol/saliency';
import { activate, example, onWindow, poll, sleep, webviewTabs, within, workspaceRoot } from './helpers';

const VIEW_TYPE = 'modelLens.model';

async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await poll(() => vscode.window.tabGroups.all.every((g) => g.tabs.length === 0) || undefined, 10_000, 'every editor to close').catch(() => undefined);
}

/** The column of the only Model Lens panel, and how many editor groups there are. */
function layout(): { panel: vscode.ViewColumn | undefined; groups: number; panels: number } {
  const tabs = webviewTabs(VIEW_TYPE);
  return { panel: tabs[0]?.group.viewColumn, groups: vscode.window.tabGroups.all.filter((g) => g.tabs.length > 0).length, panels: tabs.length };
}

const explain = (model: string, input: string, options: Record<string, unknown>) =>
  within(vscode.commands.executeCommand<SaliencyResult | undefined>('modelLens.explainInput', { model, input, options }), 180_000, `explainInput ${JSON.stringify(options)}`);

describe('Panel: editor groups, comparisons, history, export, pickers (real VS Code)', function () {
  this.timeout(300_000);
  let api: ModelLensApi;
  let mnist: string;
  const temp: string[] = [];

  before(async function () {
    api = await activate();
    mnist = example('mnist-cnn/model.json');
  });

  after(async function () {
    for (const f of temp) fs.rmSync(f, { recursive: true, force: true });
    await closeAll();
  });

  it("Explain Input…, a hover's link, an error and Open Model again never add a column nor move the panel", async function () {
    await closeAll();
    // The panel first, alone in column 1; then a source file beside it, which is the active editor.
    await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(mnist)), 120_000, 'openModel');
    await within(api.whenRendered(mnist), 120_000, 'the panel');
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 1, panels: 1 });
    const readme = await vscode.workspace.openTextDocument(example('README.md'));
    await vscode.window.showTextDocument(readme, { viewColumn: vscode.ViewColumn.Beside });
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 2, panels: 1 });

    // Explain Input… from the source file (it used to move the panel beside the active editor: a third column).
    assert.ok(await explain(mnist, example('mnist-cnn/samples/digit-3-0.png'), { method: 'gradient' }));
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 2, panels: 1 }, 'Explain Input…');
    // The hover's link: the same command with the cached method.
    await vscode.window.showTextDocument(readme, { viewColumn: vscode.ViewColumn.Two });
    assert.ok(await explain(mnist, example('mnist-cnn/samples/digit-3-0.png'), { method: 'gradient' }));
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 2, panels: 1 }, "the hover's link");
    // An error.
    const corrupt = path.join(workspaceRoot(), 'mnist-cnn', '.model-lens-panel-corrupt.png');
    fs.writeFileSync(corrupt, 'not a png');
    temp.push(corrupt);
    const errors = onWindow('showErrorMessage', () => Promise.resolve(undefined));
    try {
      assert.strictEqual(await explain(mnist, corrupt, { method: 'gradient' }), undefined);
    } finally {
      errors.restore();
    }
    assert.ok(errors.calls.length >= 1, 'the failure was not notified');
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 2, panels: 1 }, 'an error');
    // Open Model again, from column 2.
    await vscode.window.showTextDocument(readme, { viewColumn: vscode.ViewColumn.Two });
    await vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(mnist));
    assert.deepStrictEqual(layout(), { panel: vscode.ViewColumn.One, groups: 2, panels: 1 }, 'Open Model again');
    // A second model's panel joins the first one's group rather than making a column.
    const iris = example('iris-mlp/model.json');
    await vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(iris));
    await within(api.whenRendered(iris), 120_000, 'the iris panel');
    assert.deepStrictEqual(webviewTabs(VIEW_TYPE).map((t) => t.group.viewColumn), [vscode.ViewColumn.One, vscode.ViewColumn.One]);
    assert.strictEqual(layout().groups, 2);
  });

  it('a training example and the sidecar open beside the panel, which stays visible in its group', async function () {
    await closeAll();
    const iris = example('iris-mlp/model.json');
    const result = await within(
      vscode.commands.executeCommand<InfluenceResult | undefined>('modelLens.findInfluence', { model: iris, input: example('iris-mlp/samples/setosa.csv'), method: 'influence', top: 3 }),
      240_000,
      'findInfluence',
    );
    assert.ok(result);
    await poll(() => api.panelState(iris)?.influence?.rendered || undefined, 60_000, 'the galleries');
    const panelColumn = layout().panel;
    assert.strictEqual(layout().groups, 1);
    const run = api.panelState(iris)!.influence!.run;
    assert.ok(api.sendFromWebview(iris, { type: 'openInfluenceExample', run, index: 0 }));
    const editor = await poll(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('train.csv') ? vscode.window.activeTextEditor : undefined, 30_000, 'train.csv');
    assert.notStrictEqual(editor.viewColumn, panelColumn, 'the example opened over the panel');
    const panelTab = webviewTabs(VIEW_TYPE)[0];
    assert.ok(panelTab.isActive, 'the panel is no longer the visible tab of its group');
    assert.strictEqual(layout().groups, 2);
    // The sidecar, from the panel's "Edit sidecar": the same other group, not a third.
    assert.ok(api.sendFromWebview(iris, { type: 'openSidecar' }));
    await poll(() => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith('model.lens.json') || undefined, 30_000, 'the sidecar');
    assert.strictEqual(vscode.window.activeTextEditor?.viewColumn, editor.viewColumn);
    assert.strictEqual(layout().groups, 2);
    assert.ok(webviewTabs(VIEW_TYPE)[0].isActive);
  });

  it('a short run shows its progress in the panel only; a long one also gets the notification, whose Cancel stops it', async function () {
    // The notification stands in for the user: it records what was shown and presses Cancel, so
    // the long run need not finish and the test does not depend on this machine's speed.
    // The model is loaded first: loading it may take longer than a second.
    assert.ok(await explain(mnist, example('mnist-cnn/samples/digit-5-0.png'), { method: 'gradient' }));
    const progress = onWindow('withProgress', (_options, task) => {
      const cts = new vscode.CancellationTokenSource();
      setTimeout(() => cts.cancel(), 50);
      return (task as (p: vscode.Progress<unknown>, t: vscode.CancellationToken) => Promise<unknown>)({ report: () => undefined }, cts.token);
    });
    let long: SaliencyResult | undefined;
    try {
      assert.ok(await explain(mnist, example('mnist-cnn/samples/digit-5-0.png'), { method: 'gradient' }));
      assert.deepStrictEqual(progress.calls, [], 'a gradient (tens of ms) showed a notification');
      // Thousands of noisy samples and the metrics: minutes of work on any machine, unless cancelled.
      long = await explain(mnist, example('mnist-cnn/samples/digit-5-0.png'), { method: 'smoothgrad', samples: 10000, metrics: true });
    } finally {
      progress.restore();
    }
    const shown = progress.calls.map((c) => c[0] as vscode.ProgressOptions);
    assert.strictEqual(shown.length, 1, `notifications: ${JSON.stringify(shown)}`);
    assert.strictEqual(shown[0].location, vscode.ProgressLocation.Notification);
    assert.strictEqual(shown[0].cancellable, true);
    assert.match(String(shown[0].title), /SmoothGrad on digit-5-0\.png/);
    assert.strictEqual(long, undefined, 'Cancel in the notification did not stop the run');
    const shownRun = api.panelState(mnist)?.explanation;
    assert.deepStrictEqual([shownRun?.state, shownRun?.code], ['error', 'CANCELLED']);
  });

  it('Compare methods runs each method on the same input and target as one group, kept in the history; Grad-CAM at conv1 is zero there and gets no metrics', async function () {
    await closeAll();
    const seven = example('mnist-cnn/samples/digit-7-0.png');
    assert.ok(await explain(mnist, seven, { method: 'gradient' }));
    const before = api.panelState(mnist)!.explanation!;
    const methods = ['gradient', 'integrated-gradients', 'grad-cam', 'occlusion'];
    // Input 4: the sidecar's fifth sample (samples come first in the panel's list), digit-7-0.png.
    assert.ok(api.sendFromWebview(mnist, { type: 'sectionCompare', section: 'explain', input: 4, variants: methods.map((method) => ({ method, metrics: true })) }), 'the host refused the comparison');
    const last = await poll(() => {
      const e = api.panelState(mnist)?.explanation;
      return e && e.run > before.run && e.group?.index === methods.length - 1 && e.state !== 'running' && e.rendered ? e : undefined;
    }, 240_000, 'the last method of the comparison');
    assert.strictEqual(last.state, 'result');
    const groupRuns = last.history.filter((r) => r > before.run);
    assert.strictEqual(groupRuns.length, methods.length, `history ${last.history}`);
    assert.strictEqual(last.group?.id, Math.min(...groupRuns));
    assert.strictEqual(last.group?.size, methods.length);
    // Newest first, the earlier gradient run after them.
    assert.deepStrictEqual(last.history.slice(0, methods.length + 1), [...groupRuns.sort((a, b) => b - a), before.run]);
    // One target for all: the predicted class.
    assert.strictEqual(last.target, 7);
    assert.strictEqual(last.inputPath, seven);

    const zero = (await explain(mnist, seven, { method: 'grad-cam', layer: 'conv1', metrics: true }))!;
    assert.ok(zero?.attribution.data.every((v) => v === 0), 'the conv1 map of this digit is zero (no positive evidence there)');
    assert.strictEqual(zero.metrics, undefined);
    assert.match(zero.metricsSkipped ?? '', /conv1 is zero everywhere/);
    assert.deepStrictEqual(zero.mapSize, [26, 26]);
  });

  it('influence functions and TracIn side by side: one group of two on the same input', async function () {
    const iris = example('iris-mlp/model.json');
    await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(iris)), 60_000, 'openModel');
    await within(api.whenRendered(iris), 120_000, 'the iris panel');
    const before = api.panelState(iris)?.influence?.run ?? 0;
    assert.ok(api.sendFromWebview(iris, { type: 'sectionCompare', section: 'influence', input: 0, variants: [{ method: 'influence', top: 5 }, { method: 'tracin', top: 5 }] }));
    const last = await poll(() => {
      const s = api.panelState(iris)?.influence;
      return s && s.run > before && s.group?.index === 1 && s.state !== 'running' && s.rendered ? s : undefined;
    }, 240_000, 'TracIn beside influence functions');
    assert.strictEqual(last.state, 'result', last.message);
    assert.strictEqual(last.method, 'tracin');
    assert.deepStrictEqual(last.history.slice(0, 2), [last.run, last.run - 1]);
  });

  it('the parameter scope is a panel control: the layers ticked are the scope', async function () {
    const iris = example('iris-mlp/model.json');
    const before = api.panelState(iris)?.influence?.run ?? 0;
    assert.ok(api.sendFromWebview(iris, { type: 'sectionRun', section: 'influence', input: 0, options: { method: 'influence', layers: ['probs'], top: 3 } }));
    const done = await poll(() => {
      const s = api.panelState(iris)?.influence;
      return s && s.run > before && s.state !== 'running' ? s : undefined;
    }, 120_000, 'the scoped run');
    assert.strictEqual(done.state, 'result', done.message);
    assert.deepStrictEqual(done.paramScope?.layers, ['probs']);
    assert.match(done.paramScope?.reason ?? '', /^chosen: probs/);
    const result = await within(
      vscode.commands.executeCommand<InfluenceResult | undefined>('modelLens.findInfluence', { model: iris, input: example('iris-mlp/samples/setosa.csv'), method: 'influence', top: 3 }),
      120_000,
      'the default scope',
    );
    assert.deepStrictEqual(result?.paramScope.layers, ['dense1', 'probs'], 'the default scope of this small MLP is every layer');
    assert.doesNotMatch(result!.paramScope.reason, /--|choose others/, 'CLI wording in the reason the panel shows');
  });

  it('Save PNG writes the picture the panel sent, suggesting the workspace output folder', async function () {
    const run = api.panelState(mnist)!.explanation!.run;
    const png = new PNG({ width: 3, height: 2 });
    png.data.fill(200);
    const bytes = PNG.sync.write(png);
    const target = path.join(workspaceRoot(), 'model-lens-output', '.panel-test.png');
    temp.push(path.dirname(target));
    const dialog = onWindow('showSaveDialog', () => Promise.resolve(vscode.Uri.file(target)));
    const info = onWindow('showInformationMessage', () => Promise.resolve(undefined));
    try {
      assert.ok(api.sendFromWebview(mnist, { type: 'exportExplanation', format: 'png', run, png: `data:image/png;base64,${bytes.toString('base64')}` }));
      await poll(() => fs.existsSync(target) || undefined, 30_000, 'the saved PNG');
    } finally {
      dialog.restore();
      info.restore();
    }
    const options = dialog.calls[0][0] as vscode.SaveDialogOptions;
    assert.strictEqual(path.dirname(options.defaultUri!.fsPath), path.join(workspaceRoot(), 'model-lens-output'), 'not the output folder');
    assert.match(path.basename(options.defaultUri!.fsPath), /^digit-7-0-grad-cam\.png$/);
    assert.ok(fs.readFileSync(target).equals(bytes), 'the file is not the picture the panel sent');
    // Not a PNG: refused at the door.
    assert.strictEqual(api.sendFromWebview(mnist, { type: 'exportExplanation', format: 'png', run, png: 'data:image/svg+xml;base64,PHN2Zz4=' }), false);
  });

  it('pickers offer only inputs the model takes, sidecar samples first; the model pick lists models, not TracIn checkpoints', async function () {
    const offered: string[][] = [];
    const pick = onWindow('showQuickPick', (items: unknown) => {
      offered.push((items as vscode.QuickPickItem[]).filter((i) => i.kind !== vscode.QuickPickItemKind.Separator).map((i) => i.label));
      return Promise.resolve(undefined);
    });
    try {
      await vscode.commands.executeCommand('modelLens.explainInput', { model: example('text-sentiment/model.json') });
      await vscode.commands.executeCommand('modelLens.explainInput', { model: example('iris-mlp/model.json') });
      await vscode.commands.executeCommand('modelLens.openModel');
    } finally {
      pick.restore();
    }
    const [text, iris, models] = offered;
    const files = (list: string[]) => list.filter((l) => !l.includes('Choose file'));
    assert.ok(files(text).length >= 4 && files(text).every((l) => l.endsWith('.txt')), `text model offered ${JSON.stringify(text)}`);
    const samples = JSON.parse(fs.readFileSync(example('text-sentiment/model.lens.json'), 'utf8')).data.samples.map((s: string) => `text-sentiment/${s}`);
    assert.deepStrictEqual([...files(text).slice(0, 4)].sort(), [...samples].sort(), 'the samples first');
    assert.ok(files(iris).length >= 3 && files(iris).every((l) => l.endsWith('.csv')), `iris offered ${JSON.stringify(iris)}`);
    assert.ok(files(iris).slice(0, 3).every((l) => l.startsWith('iris-mlp/samples/')), `samples first: ${JSON.stringify(iris)}`);
    // The examples' models (a model.json at the top of each example), none of the checkpoints/ their sidecars list.
    const examples = fs.readdirSync(workspaceRoot()).filter((d) => fs.existsSync(path.join(workspaceRoot(), d, 'model.json'))).map((d) => `${d}/model.json`).sort();
    assert.ok(examples.length >= 4);
    assert.deepStrictEqual(models, examples);
    await sleep(100);
  });
});
