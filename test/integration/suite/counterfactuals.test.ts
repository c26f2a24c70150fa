// Integration (issue 13): Model Lens: Find Counterfactual in the real editor — on the CSV row under
// the cursor and through a row's CodeLens (examples/penguins-logreg: softmax regression, island and
// sex immutable, body mass within 2700–6300, flipper length whole), on an image (examples/mnist-cnn,
// region swap), on selected text (examples/text-sentiment, token flip) and from the panel's sample
// inputs; Copy puts the counterfactual on the clipboard as a row of its CSV and as JSON; "no
// counterfactual" is an answer with its reason; bad input gets one clear message and the extension
// keeps working; Cancel stops a run. Truth comes from outside the search: the files themselves, the
// real model run again on what was copied or found, and the pixels of the images.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';
import type { CounterfactualState } from '../../../src/extension/counterfactuals/counterfactualSection';
import type { CellBox, Counterfactual, CounterfactualResult } from '../../../src/protocol/counterfactual';
import { activate, example, onWindow, poll, within } from './helpers';

const findCounterfactual = (args?: unknown) =>
  within(vscode.commands.executeCommand<CounterfactualResult | undefined>('modelLens.findCounterfactual', args), 180_000, `findCounterfactual ${JSON.stringify(args)}`);

const IMMUTABLE = ['island_Biscoe', 'island_Dream', 'island_Torgersen', 'sex_female', 'sex_male'];

/** The sidecar's constraints hold for a penguin counterfactual, and the model predicts the target. */
function assertFeasiblePenguin(result: CounterfactualResult, cf: Counterfactual): void {
  const before = result.original.values!;
  const after = cf.values!;
  assert.notStrictEqual(result.target, result.original.prediction, 'the target is the class the model already predicts');
  assert.strictEqual(cf.prediction, result.target, `counterfactual predicted as ${cf.label}, not ${result.targetLabel}`);
  assert.ok(cf.validity && cf.probability > 0.3, `validity ${cf.validity}, p ${cf.probability}`);
  for (const f of IMMUTABLE) assert.strictEqual(after[f], before[f], `immutable ${f} changed: ${before[f]} → ${after[f]}`);
  assert.ok(after.body_mass_g >= 2700 - 1e-3 && after.body_mass_g <= 6300 + 1e-3, `body mass ${after.body_mass_g} outside 2700–6300`);
  assert.ok(Number.isInteger(after.flipper_length_mm), `flipper length ${after.flipper_length_mm} is not whole`);
  // What changed is exactly what `changes` lists.
  const changed = Object.keys(after).filter((f) => after[f] !== before[f]);
  assert.deepStrictEqual(cf.changes.map((c) => c.feature).sort(), changed.sort());
}

/** An image data: URI's RGBA pixels. */
function decode(uri: string | undefined): PNG {
  assert.ok(uri !== undefined && uri.startsWith('data:image/png;base64,'), `not a PNG data URI: ${uri?.slice(0, 40)}`);
  return PNG.sync.read(Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64'));
}

const inside = (b: CellBox, x: number, y: number) => x >= b.x && x < b.x + b.width && y >= b.y && y < b.y + b.height;

describe('Counterfactuals (Find Counterfactual, real VS Code)', function () {
  this.timeout(300_000);
  let api: ModelLensApi;
  let penguins: string;
  let mnist: string;
  let sentiment: string;
  let testCsv: string;
  const temp: string[] = [];
  const state = (model: string): CounterfactualState | undefined => api.panelState(model)?.counterfactual;
  /** The section's state once a run after `after` has settled: a drawn result or an error. */
  const settled = (model: string, after: number, what: string) =>
    poll(() => {
      const s = state(model);
      return s && s.run > after && (s.state === 'error' || (s.state === 'result' && s.rendered)) ? s : undefined;
    }, 180_000, what);
  const lastRun = (model: string) => state(model)?.run ?? 0;
  const tempFile = (name: string, text: string | Buffer): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-lens-cf-'));
    temp.push(dir);
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  before(async function () {
    api = await activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    penguins = example('penguins-logreg/model.json');
    mnist = example('mnist-cnn/model.json');
    sentiment = example('text-sentiment/model.json');
    testCsv = example('penguins-logreg/data/test.csv');
  });

  after(async function () {
    for (const d of temp) fs.rmSync(d, { recursive: true, force: true });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  let rowResult: CounterfactualResult | undefined;

  it('on the current line of an open CSV: the row under the cursor, the runner-up class, within the sidecar\'s constraints; the panel draws it', async function () {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(testCsv));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    // Line 4 is data row 3: a male Adelie from Torgersen.
    editor.selection = new vscode.Selection(3, 5, 3, 5);
    const [header, cells] = [doc.lineAt(0).text.split(','), doc.lineAt(3).text.split(',')];
    const before = lastRun(penguins);
    rowResult = await findCounterfactual({});
    assert.ok(rowResult, 'the command returned no result');
    const r = rowResult;
    // The row the engine read is the line under the cursor.
    assert.deepStrictEqual(r.original.values, Object.fromEntries(header.filter((h) => h !== 'species').map((h) => [h, Number(cells[header.indexOf(h)])])));
    assert.strictEqual(r.original.label, 'Adelie');
    assert.strictEqual(r.method, 'linear-exact', 'auto picks the exact method for softmax regression');
    assert.strictEqual(r.counterfactuals.length, 1);
    assertFeasiblePenguin(r, r.counterfactuals[0]);
    const s = await settled(penguins, before, 'the panel to draw the counterfactual');
    assert.strictEqual(s.state, 'result', s.message);
    assert.strictEqual(s.inputLabel, 'penguins-logreg/data/test.csv row 3');
    assert.deepStrictEqual([s.ranMethod, s.target, s.predictions], [r.method, r.target, [r.target]]);
    assert.deepStrictEqual(s.history, [s.run]);
  });

  it('Copy CSV row puts a row of test.csv on the clipboard that parses back to the counterfactual, which the real model predicts as the target', async function () {
    const r = rowResult;
    assert.ok(r, 'no result (previous test failed)');
    const cf = r.counterfactuals[0];
    const run = state(penguins)!.run;
    const lines = fs.readFileSync(testCsv, 'utf8').split('\n');
    const header = lines[0].split(',');
    assert.ok(api.sendFromWebview(penguins, { type: 'copyCounterfactual', run, index: 0, format: 'csv' }), 'the host refused a valid message');
    const text = await poll(async () => {
      const t = await vscode.env.clipboard.readText();
      return /^[\d.]+,/.test(t) ? t : undefined;
    }, 10_000, 'the CSV row on the clipboard');
    assert.deepStrictEqual(state(penguins)?.copied, { run, index: 0, format: 'csv', text });
    const copied = text.split(',');
    const original = lines[3].split(',');
    assert.strictEqual(copied.length, header.length, `not a row of test.csv: ${text}`);
    header.forEach((column, j) => {
      if (column === 'species') assert.strictEqual(copied[j], cf.label, 'the label column names the new class');
      else if (cf.values![column] === r.original.values![column]) assert.strictEqual(copied[j], original[j], `unchanged ${column} not as written`);
      else assert.strictEqual(Math.fround(Number(copied[j])), Math.fround(cf.values![column]), `${column}: ${copied[j]} is not the float32 of ${cf.values![column]}`);
    });
    // The real model on the pasted row: it predicts the target class.
    const pasted = tempFile('pasted.csv', `${lines[0]}\n${text}\n`);
    const again = await findCounterfactual({ model: penguins, input: pasted, target: r.original.prediction, method: 'linear-exact' });
    assert.ok(again, 'no result on the pasted row');
    assert.strictEqual(again.original.prediction, r.target, `the pasted row is predicted as ${again.original.label}`);
    for (const [f, v] of Object.entries(cf.values!)) assert.strictEqual(Math.fround(again.original.values![f]), Math.fround(v), f);

    // JSON (of the same kept run, no longer the latest): the counterfactual with what it answers.
    assert.ok(api.sendFromWebview(penguins, { type: 'copyCounterfactual', run, index: 0, format: 'json' }));
    const json = await poll(async () => {
      const t = await vscode.env.clipboard.readText();
      return t.startsWith('{') ? t : undefined;
    }, 10_000, 'the JSON on the clipboard');
    const parsed = JSON.parse(json) as Counterfactual & { method: string; target: number; original: { values: Record<string, number> } };
    assert.deepStrictEqual([parsed.method, parsed.target, parsed.prediction, parsed.values, parsed.original.values], [r.method, r.target, cf.prediction, cf.values, r.original.values]);
  });

  it("through a row's CodeLens: its arguments name the file, the line and the model; the quick picks choose the method and two diverse counterfactuals", async function () {
    const uri = vscode.Uri.file(testCsv);
    const lenses = await poll(async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
      return l?.length ? l : undefined;
    }, 30_000, 'the CodeLenses on test.csv');
    const lines = fs.readFileSync(testCsv, 'utf8').split('\n');
    const rows = lines.slice(1).filter((l) => l.trim() !== '').length;
    assert.strictEqual(lenses.length, rows, 'one lens per data row');
    // Line 60 (0-based 59) holds a Gentoo: the lens above it.
    const lens = lenses.find((l) => l.range.start.line === 59);
    assert.ok(lens?.command, 'no lens on line 60');
    assert.strictEqual(lens.command.command, 'modelLens.findCounterfactual');
    assert.deepStrictEqual(lens.command.arguments, [{ input: testCsv, line: 60, ask: true, model: penguins }]);
    const asked: string[] = [];
    const picks = onWindow('showQuickPick', (items: unknown, options: unknown) => {
      asked.push(String((options as vscode.QuickPickOptions).placeHolder));
      const list = items as (vscode.QuickPickItem & { method?: string; index?: number })[];
      return Promise.resolve(list.find((i) => i.method === 'gradient') ?? list[0]);
    });
    const box = onWindow('showInputBox', () => Promise.resolve('2'));
    let r: CounterfactualResult | undefined;
    try {
      r = await findCounterfactual(...(lens.command.arguments as [unknown]));
    } finally {
      picks.restore();
      box.restore();
    }
    assert.ok(r, 'no result');
    assert.match(asked[0], /The model predicts Gentoo .*Which class should the input get instead\?/);
    assert.match(asked[1], /Which method/);
    assert.strictEqual(box.calls.length, 1, 'the count was not asked for');
    const cells = lines[59].split(',');
    assert.strictEqual(cells.at(-1), r.original.label);
    assert.strictEqual(r.original.values!.body_mass_g, Number(cells[3]));
    assert.strictEqual(r.method, 'gradient');
    assert.strictEqual(r.counterfactuals.length, 2);
    for (const cf of r.counterfactuals) assertFeasiblePenguin(r, cf);
    assert.notDeepStrictEqual(r.counterfactuals[0].values, r.counterfactuals[1].values, 'two identical counterfactuals');
    assert.ok(r.diversity !== null && r.diversity > 0, `diversity ${r.diversity}`);
    assert.strictEqual((await settled(penguins, 0, 'the lens run')).inputLabel, 'penguins-logreg/data/test.csv row 59');
  });

  it('from the panel\'s sample inputs: the runner-up class by default (checked against both other classes), and the panel shows it', async function () {
    // The sidecar's samples come first in the panel's inputs: gentoo.csv is input 2.
    const samples = JSON.parse(fs.readFileSync(example('penguins-logreg/model.lens.json'), 'utf8')).data.samples as string[];
    const index = samples.indexOf('samples/gentoo.csv');
    assert.strictEqual(index, 2);
    const gentoo = example('penguins-logreg/samples/gentoo.csv');
    // Truth for "runner-up": each other class as an explicit target, and the probability the model gives it.
    const others = [0, 1];
    const probabilities = [];
    for (const target of others) {
      const r = await findCounterfactual({ model: penguins, input: gentoo, target, method: 'linear-exact' });
      assert.ok(r && r.original.label === 'Gentoo', JSON.stringify(r?.original));
      probabilities.push(r.original.targetProbability);
    }
    const runnerUp = others[probabilities[0] >= probabilities[1] ? 0 : 1];
    const before = lastRun(penguins);
    assert.ok(api.sendFromWebview(penguins, { type: 'sectionRun', section: 'counterfactual', input: index, options: { method: 'auto' } }));
    const s = await settled(penguins, before, 'the sample run');
    assert.strictEqual(s.state, 'result', s.message);
    assert.strictEqual(s.inputLabel, 'penguins-logreg/samples/gentoo.csv');
    assert.strictEqual(s.target, runnerUp, `the default target is not the runner-up (p ${probabilities})`);
    assert.deepStrictEqual(s.predictions, [runnerUp]);
  });

  it('on an image: region swap changes only the swapped cells, each copied from its cell of the distractor, and the model predicts the target', async function () {
    const input = example('mnist-cnn/samples/digit-7-0.png');
    const before = lastRun(mnist);
    const r = await findCounterfactual({ model: mnist, input, target: 1, method: 'region-swap' });
    assert.ok(r, 'no result');
    assert.strictEqual(r.original.label, '7');
    assert.strictEqual(r.counterfactuals.length, 1);
    const cf = r.counterfactuals[0];
    assert.strictEqual(cf.prediction, 1);
    const cells = cf.cells ?? [];
    assert.ok(cells.length >= 1 && cells.length === cf.sparsity, `cells ${cells.length}, sparsity ${cf.sparsity}`);
    const [query, after, distractor] = [decode(r.original.image), decode(cf.image), decode(cf.distractor?.image)];
    assert.deepStrictEqual([query.width, query.height, after.width, distractor.width], [28, 28, 28, 28]);
    let changedOutside = 0;
    let unlike = 0;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const o = (y * 28 + x) * 4;
        const cell = cells.find((c) => inside(c.query, x, y));
        if (!cell) {
          if (after.data[o] !== query.data[o]) changedOutside++;
          continue;
        }
        const d = ((cell.distractor.y + y - cell.query.y) * 28 + cell.distractor.x + x - cell.query.x) * 4;
        if (after.data[o] !== distractor.data[d]) unlike++;
      }
    }
    assert.strictEqual(changedOutside, 0, 'pixels outside the swapped cells changed');
    assert.strictEqual(unlike, 0, 'swapped cells are not the distractor\'s');
    const s = await settled(mnist, before, 'the panel to draw the images');
    assert.strictEqual(s.state, 'result', s.message);
    assert.deepStrictEqual([s.ranMethod, s.predictions], ['region-swap', [1]]);
    mnistCells = cells.length;
  });

  let mnistCells = 0;

  it('"no counterfactual" is an answer: with fewer swaps allowed than the search needed, the panel shows the reason', async function () {
    assert.ok(mnistCells >= 1, 'no region swap (previous test failed)');
    if (mnistCells === 1) this.skip(); // one swap sufficed: no smaller budget to refuse
    const samples = JSON.parse(fs.readFileSync(example('mnist-cnn/model.lens.json'), 'utf8')).data.samples as string[];
    const before = lastRun(mnist);
    assert.ok(
      api.sendFromWebview(mnist, { type: 'sectionRun', section: 'counterfactual', input: samples.indexOf('samples/digit-7-0.png'), options: { method: 'region-swap', target: 1, maxEdits: mnistCells - 1 } }),
    );
    const s = await settled(mnist, before, 'the run with too few swaps');
    assert.strictEqual(s.state, 'result', 'no counterfactual is a result, not an error');
    assert.deepStrictEqual(s.predictions, []);
    assert.match(s.reason ?? '', new RegExp(`^No counterfactual: swapping up to ${mnistCells - 1} of the 25 cells of layer 'pool2' .* did not make the model predict '1'\\.$`));
  });

  it('on selected text, from the editor\'s context menu: the selection, not the file; the quick picks choose the model and the class; the real model predicts the target on the counterfactual', async function () {
    const sentence = 'we saw the movie on a night with friends and it was wonderful';
    const file = tempFile('review.md', `# A review\n\n${sentence}\n\nMore notes.\n`);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(doc, { preview: false });
    editor.selection = new vscode.Selection(2, 0, 2, sentence.length);
    await poll(() => vscode.window.activeTextEditor?.document === doc && !vscode.window.activeTextEditor.selection.isEmpty, 10_000, 'the review to be the active editor');
    const asked: string[] = [];
    const picks = onWindow('showQuickPick', (items: unknown, options: unknown) => {
      asked.push(String((options as vscode.QuickPickOptions).placeHolder));
      const list = items as (vscode.QuickPickItem & { method?: string })[];
      return Promise.resolve(list.find((i) => i.label.includes('text-sentiment') || i.label === 'negative' || i.method === 'auto'));
    });
    const errors = onWindow('showErrorMessage', () => Promise.resolve(undefined));
    let r: CounterfactualResult | undefined;
    try {
      // The editor's context menu hands the command the editor's file.
      r = await findCounterfactual(doc.uri);
    } finally {
      picks.restore();
      errors.restore();
    }
    assert.ok(r, `no result; asked ${JSON.stringify(asked)}; errors ${JSON.stringify(errors.calls)}; panel ${JSON.stringify(state(sentiment))}`);
    // The model is asked for unless a panel of one that takes text is open.
    assert.match(asked.join(' | '), /^(Which model's decision on selection in .*review\.md \(line 3\)\? \| )?The model predicts positive .* \| Which method/);
    assert.match(state(sentiment)?.inputLabel ?? '', /review\.md \(line 3\)$/);
    assert.deepStrictEqual([r.method, r.original.text, r.original.label, r.targetLabel], ['token-flip', sentence, 'positive', 'negative']);
    const cf = r.counterfactuals[0];
    // The counterfactual is the sentence with its edits, and nothing else.
    const words = sentence.split(' ');
    for (const e of cf.edits ?? []) {
      assert.strictEqual(words[e.position], e.from);
      words[e.position] = e.to;
    }
    assert.ok(cf.edits?.length, 'no edits');
    assert.strictEqual(cf.text, words.join(' '));
    const again = await findCounterfactual({ model: sentiment, text: cf.text, target: 'positive' });
    assert.ok(again);
    assert.strictEqual(again.original.label, 'negative', `the real model reads "${cf.text}" as ${again.original.label}`);
  });

  it('bad input: a row with the wrong number of cells, an unreadable image — one clear message each; the extension keeps working', async function () {
    const errors = onWindow('showErrorMessage', () => Promise.resolve(undefined));
    try {
      const header = fs.readFileSync(testCsv, 'utf8').split('\n')[0];
      const bad = tempFile('short-row.csv', `${header}\n39.5,17.4,186\n`);
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(bad));
      const editor = await vscode.window.showTextDocument(doc, { preview: false });
      editor.selection = new vscode.Selection(1, 0, 1, 0);
      assert.strictEqual(await findCounterfactual({ model: penguins }), undefined);
      assert.strictEqual(errors.calls.length, 1);
      assert.strictEqual(String(errors.calls[0][0]), 'Model Lens: Row 1 (line 2) of short-row.csv has 3 fields; the header has 10.');

      const broken = tempFile('broken.png', Buffer.from('not a PNG at all'));
      const before = lastRun(mnist);
      assert.strictEqual(await findCounterfactual({ model: mnist, input: broken, target: 1 }), undefined);
      const s = await settled(mnist, before, 'the failed image run');
      assert.strictEqual(s.state, 'error');
      assert.strictEqual(s.code, 'INVALID_INPUT');
      assert.match(s.message ?? '', /broken\.png/);
      assert.strictEqual(errors.calls.length, 2, 'one notification for the image');
      assert.match(String(errors.calls[1][0]), /^Model Lens: Counterfactuals \(Automatic\) failed: .*broken\.png/);
    } finally {
      errors.restore();
    }
    // Still working: a good run after all that.
    const ok = await findCounterfactual({ model: mnist, input: example('mnist-cnn/samples/digit-7-0.png'), target: 1, method: 'region-swap' });
    assert.ok(ok && ok.counterfactuals[0]?.prediction === 1, JSON.stringify(ok?.reason));
  });

  it('Cancel stops a running search; the section keeps its history', async function () {
    const previous = state(penguins)!;
    assert.ok(
      api.sendFromWebview(penguins, { type: 'sectionRun', section: 'counterfactual', input: 0, options: { method: 'gradient', target: 2, count: 20, steps: 100_000 } }),
    );
    await poll(() => (state(penguins)!.run > previous.run && state(penguins)!.state === 'running' ? true : undefined), 60_000, 'the run to start');
    assert.ok(api.sendFromWebview(penguins, { type: 'sectionCancel', section: 'counterfactual' }));
    const s = await within(settled(penguins, previous.run, 'the cancelled run'), 30_000, 'Cancel to stop the search');
    assert.deepStrictEqual([s.state, s.code], ['error', 'CANCELLED']);
    assert.deepStrictEqual(s.history, previous.history, 'a cancelled run was kept in the history');
  });
});
