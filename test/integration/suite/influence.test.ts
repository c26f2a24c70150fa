// Integration: Model Lens: Find Influential Training Data in the real editor, on examples/iris-mlp
// (120 training rows in data/train.csv). The panel is driven as its webview would drive it, through
// api.sendFromWebview, which validates messages exactly like the webview channel.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { InfluenceResult, InfluenceScore } from '../../../src/protocol/influence';
import { activate, example, poll, sleep, within } from './helpers';

function assertSortedDescending(scores: number[], what: string): void {
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1] >= scores[i], `${what} not sorted at ${i}: ${scores[i - 1]} < ${scores[i]}`);
}

describe('Influence (Find Influential Training Data, real VS Code)', function () {
  this.timeout(300_000);
  let api: ModelLensApi;
  let modelPath: string;
  let trainCsv: string;
  /** train.csv's lines as the file has them (line 1 is the header). */
  let trainLines: string[];
  let first: InfluenceResult | undefined;

  before(async function () {
    api = await activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    modelPath = example('iris-mlp/model.json');
    trainCsv = example('iris-mlp/data/train.csv');
    trainLines = fs.readFileSync(trainCsv, 'utf8').split(/\r?\n/);
  });

  it('ranks the training rows for a sample and the panel draws the sorted galleries', async function () {
    const input = example('iris-mlp/samples/versicolor.csv');
    first = await within(
      vscode.commands.executeCommand<InfluenceResult | undefined>('modelLens.findInfluence', { model: modelPath, input, method: 'influence', top: 5 }),
      240_000,
      'modelLens.findInfluence on versicolor.csv',
    );
    assert.ok(first, 'the command returned no result');
    assert.strictEqual(first.method, 'influence');
    assert.strictEqual(first.test?.labelName, 'versicolor');
    assert.strictEqual(path.resolve(first.trainPath), trainCsv, 'not the sidecar data.train');
    // Every data row of train.csv is a training example (none are skipped in this file).
    const rows = trainLines.slice(1).filter((l) => l.trim() !== '').length;
    assert.strictEqual(first.trainSize + first.skipped.length, rows);
    const scores = first.scores.map((s) => s.score);
    assertSortedDescending(scores, 'scores');
    const proponents = scores.filter((s) => s >= 0);
    const opponents = scores.filter((s) => s < 0);
    assert.ok(proponents.length >= 1 && proponents.length <= 5, `proponents: ${proponents}`);
    assert.ok(opponents.length >= 1 && opponents.length <= 5, `opponents: ${opponents}`);

    const state = await poll(() => {
      const s = api.panelState(modelPath)?.influence;
      return s?.rendered ? s : undefined;
    }, 60_000, 'the panel to draw the influence galleries');
    assert.strictEqual(state.state, 'result');
    assert.deepStrictEqual(state.scores, scores, 'the panel got other scores than the command returned');
    assert.strictEqual(state.trainSize, first.trainSize);
    assert.ok(state.progress && state.progress.total > 0, `no progress was reported: ${JSON.stringify(state.progress)}`);
    console.log(`    ${first.trainSize} rows, ${first.solver} solver, cached=${first.cached}, ${Math.round(first.ms)} ms; last progress: ${state.progress.message}`);
  });

  it("clicking an example opens train.csv at that example's row", async function () {
    const result: InfluenceResult | undefined = first;
    assert.ok(result, 'no result (previous test failed)');
    const run = api.panelState(modelPath)!.influence!.run;
    for (const index of [0, result.scores.length - 1]) {
      const ranked: InfluenceScore = result.scores[index];
      assert.ok(api.sendFromWebview(modelPath, { type: 'openInfluenceExample', run, index }), 'the host refused a valid message');
      const editor: vscode.TextEditor = await poll(() => {
        const e = vscode.window.activeTextEditor;
        return e && path.resolve(e.document.uri.fsPath) === trainCsv && e.selection.active.line === ranked.location.line! - 1 ? e : undefined;
      }, 30_000, `train.csv to open at line ${ranked.location.line}`);
      const line = editor.selection.active.line;
      // Truth from the file itself: the selected line is data row `index` of the training set (after the header), and the row the panel previewed.
      assert.strictEqual(editor.document.lineAt(line).text, trainLines[ranked.index + 1], `line ${line + 1} is not training row ${ranked.index}`);
      assert.strictEqual(trainLines[line], Object.values((ranked.preview as { cells: Record<string, string> }).cells).join(','));
      assert.deepStrictEqual(api.panelState(modelPath)?.influence?.opened, ranked.location);
    }
  });

  it('refuses paths and stale runs from the webview', async function () {
    const run = api.panelState(modelPath)!.influence!.run;
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const before = vscode.window.activeTextEditor?.document.uri.fsPath;
    assert.strictEqual(api.sendFromWebview(modelPath, { type: 'openInfluenceExample', run, index: 0, path: '/etc/passwd' }), false);
    assert.strictEqual(api.sendFromWebview(modelPath, { type: 'sectionRun', section: 'influence', input: 0, options: { method: 'influence', train: '/etc' } }), false);
    assert.ok(api.sendFromWebview(modelPath, { type: 'openInfluenceExample', run: run + 100, index: 0 }), 'a well-formed message was refused');
    await sleep(1000);
    assert.strictEqual(vscode.window.activeTextEditor?.document.uri.fsPath, before, 'a stale run opened an example');
  });

  it('the second query on the model reuses the cached training gradients and says so', async function () {
    const result = await within(
      vscode.commands.executeCommand<InfluenceResult | undefined>('modelLens.findInfluence', { model: modelPath, input: example('iris-mlp/samples/setosa.csv'), method: 'influence' }),
      240_000,
      'modelLens.findInfluence on setosa.csv',
    );
    assert.ok(result, 'the command returned no result');
    assert.strictEqual(result.cached, true, 'the second query recomputed the training gradients');
    assert.strictEqual(result.test?.labelName, 'setosa');
    const state = await poll(() => (api.panelState(modelPath)?.influence?.rendered ? api.panelState(modelPath)?.influence : undefined), 60_000, 'the second result drawn');
    assert.strictEqual(state.cached, true);
    console.log(`    second query: ${Math.round(result.ms)} ms (first: ${Math.round(first?.ms ?? NaN)} ms)`);
  });

  it('self-influence from the panel lists suspicious training examples, most self-influential first', async function () {
    const previous = api.panelState(modelPath)!.influence!.run;
    assert.ok(api.sendFromWebview(modelPath, { type: 'sectionRun', section: 'influence', options: { method: 'self', top: 8 } }));
    const state = await poll(() => {
      const s = api.panelState(modelPath)?.influence;
      return s && s.run > previous && (s.state === 'error' || s.rendered) ? s : undefined;
    }, 240_000, 'the self-influence result');
    assert.strictEqual(state.state, 'result', `self-influence failed: ${state.message}`);
    assert.strictEqual(state.method, 'self');
    assert.strictEqual(state.scores?.length, 8);
    assertSortedDescending(state.scores!, 'self-influence');
    assert.ok(state.scores!.every((s) => s >= 0), `self-influence is a quadratic form of a positive definite matrix: ${state.scores}`);
  });

  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
