/**
 * Model Lens: Find Counterfactual — on the CSV data row under the cursor (the command, or the
 * CodeLens on each row of a CSV a model takes), on selected text (text models), on an image or a
 * CSV in the explorer, or from the palette (the model panel's inputs). Scripts:
 *   executeCommand('modelLens.findCounterfactual', { model?, input?, line?, row?, text?, target?, method?, count?, ask? })
 * `line` (1-based, the file's) or `row` (1-based data row) picks a CSV's row; `text` is a text
 * model's input itself. Asks for what is missing: the model (only those that take the input, the
 * active panel's first) and, from menus, lenses or with `ask`, the target class (runner-up first),
 * the method and the count; then opens the model panel and finds the counterfactuals there.
 * Resolves with the result, or undefined when the user cancelled, the input was refused (said in
 * one message) or the run failed (shown in the panel).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { COUNTERFACTUAL_KIND_METHODS, COUNTERFACTUAL_METHOD_CHOICES, type CounterfactualMethodChoice, type CounterfactualResult } from '../../protocol/counterfactual';
import type { InputKind } from '../../protocol/model';
import { checkSectionOptions, COUNTERFACTUAL_METHOD_NAMES, type CounterfactualPanelOptions } from '../../protocol/webview';
import { dataRowCount } from '../../shared/csv';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { isModelFile } from '../explain/explainInput';
import type { ModelPanels } from '../modelPanel/modelPanels';
import { isOptionsObject, localPath } from '../workspace/commandArgs';
import { inputKindOf } from '../workspace/inputKinds';
import type { ModelCatalog } from '../workspace/modelCatalog';
import { pickInput } from '../workspace/pickInput';
import { pickModel } from '../workspace/pickModel';
import type { CatalogModel } from '../workspace/sidecarInputs';
import { requireTrust } from '../workspace/trust';
import { checkRow, rowAt, writeRow, writeSelection, type EditorRow } from './editorInput';

export interface FindCounterfactualArgs {
  model?: string | vscode.Uri;
  input?: string | vscode.Uri;
  line?: number;
  row?: number;
  text?: string;
  target?: number | string;
  method?: CounterfactualMethodChoice;
  count?: number;
  /** Ask for the target, method and count (as from menus); default: the runner-up, auto, one. */
  ask?: boolean;
}

export interface CounterfactualCommandContext {
  panels: ModelPanels;
  catalog: ModelCatalog;
  engine: EngineClient;
  /** Where rows and selections are written for the engine to read. */
  scratch: vscode.Uri;
  output: vscode.LogOutputChannel;
}

/** The input a run takes, as the command found it. */
interface Source {
  kind: InputKind;
  inputPath: string;
  inputLabel?: string;
  /** A file of the workspace (joins the panel's inputs); scratch files do not. */
  listed: boolean;
  /** A CSV row from an editor (checked against the model, then written to a scratch file). */
  editorRow?: EditorRow;
  /** Selected text (written to a scratch file). */
  text?: string;
  /** The data row of a listed CSV with several. */
  row?: number;
}

const TITLE = 'Model Lens: Find Counterfactual';
const KIND_WORDS: Record<InputKind, string> = { image: 'images', tabular: 'CSV rows', text: 'text', tensor: 'tensors' };

export function findCounterfactualCommand(c: CounterfactualCommandContext) {
  return async (first?: unknown, second?: unknown): Promise<CounterfactualResult | undefined> => {
    if (!requireTrust('find counterfactuals')) return undefined;
    try {
      return await find(c, first, second);
    } catch (err) {
      // A failed run is shown in the panel and a notification already; a refused input is said here.
      if (err instanceof EngineError) return undefined;
      const message = err instanceof Error ? err.message : String(err);
      c.output.warn(`Find Counterfactual: ${message}`);
      void vscode.window.showErrorMessage(`Model Lens: ${message.replace(/^./, (ch) => ch.toUpperCase())}`);
      return undefined;
    }
  };
}

async function find(c: CounterfactualCommandContext, first: unknown, second: unknown): Promise<CounterfactualResult | undefined> {
  const args = parseArgs(first, second);
  const ask = args.ask ?? !isOptionsObject(first);
  let model = args.model;
  let source = await sourceOf(args, ask);
  if (!source) {
    // Nothing in the editor: one of the model's inputs, as the panel lists them.
    model ??= c.panels.active()?.modelPath ?? (await pickModel(TITLE, 'Which model?'))?.fsPath;
    if (!model) return undefined;
    const file = await pickPanelInput(c, model);
    if (!file) return undefined;
    source = await sourceOf({ ...args, input: file }, ask);
    if (!source) return undefined;
  }
  model ??= await chooseModel(c, source);
  if (!model) return undefined;
  const entry = await c.catalog.get(model);
  if (entry.kind && entry.kind !== source.kind) throw new Error(`${rel(model)} takes ${KIND_WORDS[entry.kind]}, not ${KIND_WORDS[source.kind]}.`);
  if (source.editorRow) {
    checkRow(source.editorRow, entry);
    source = { ...source, inputPath: await writeRow(c.scratch, source.editorRow) };
  } else if (source.text !== undefined) {
    source = { ...source, inputPath: await writeSelection(c.scratch, source.text) };
  }
  const panel = c.panels.open(model, { reload: false });
  const target = args.target ?? (ask ? await pickTarget(c.engine, model, source) : undefined);
  if (ask && target === undefined) return undefined;
  const method = args.method ?? (ask ? await pickMethod(source.kind) : 'auto');
  if (!method) return undefined;
  const diverse = source.kind === 'tabular' && (method === 'auto' || method === 'gradient');
  const count = args.count ?? (ask && diverse ? await askCount() : undefined);
  if (ask && diverse && count === undefined) return undefined;
  const options: CounterfactualPanelOptions = { method, ...(target !== undefined ? { target } : {}), ...(count !== undefined ? { count } : {}), ...(source.row !== undefined ? { row: source.row } : {}) };
  const { problem } = checkSectionOptions('counterfactual', options);
  if (problem) throw new Error(problem);
  return panel.findCounterfactual({ inputPath: source.inputPath, inputLabel: source.inputLabel, listed: source.listed, options });
}

interface Parsed extends Omit<FindCounterfactualArgs, 'model' | 'input'> {
  model?: string;
  input?: string;
}

function parseArgs(first: unknown, second: unknown): Parsed {
  if (isOptionsObject(first)) {
    const a = first as FindCounterfactualArgs;
    if (a.method !== undefined && !COUNTERFACTUAL_METHOD_CHOICES.includes(a.method)) throw new Error(`unknown counterfactual method ${JSON.stringify(a.method)}; use ${COUNTERFACTUAL_METHOD_CHOICES.join(', ')}.`);
    for (const key of ['line', 'row'] as const) {
      if (a[key] !== undefined && !(Number.isInteger(a[key]) && a[key]! >= 1)) throw new Error(`${key} must be a whole number from 1.`);
    }
    if (a.text !== undefined && (typeof a.text !== 'string' || !a.text.trim())) throw new Error('text must be a non-empty string.');
    const model = localPath(a.model, 'model');
    if (model && !isModelFile(model)) throw new Error(`${model} is not a model.json.`);
    return { ...a, model, input: localPath(a.input, 'input') };
  }
  // From the explorer or an editor's title: the clicked resource, and every selected one (a model and an input selected together are a pair).
  const out: Parsed = {};
  const selected = Array.isArray(second) && second.length === 2 ? second : [first];
  for (const p of selected.map((s) => localPath(s, 'a selected resource'))) {
    if (p && isModelFile(p)) out.model ??= p;
    else if (p) out.input ??= p;
  }
  return out;
}

/**
 * The input the arguments or the active editor name: a CSV row, a selection, or a file; undefined
 * when there is none. The editor's context menu names the editor's file: text selected there (not
 * in a CSV, whose input is the row under the cursor) is the input, not the whole file.
 */
async function sourceOf(args: Parsed, ask: boolean): Promise<Source | undefined> {
  if (args.text !== undefined) return { kind: 'text', inputPath: '', inputLabel: 'the given text', listed: false, text: args.text };
  const active = vscode.window.activeTextEditor;
  const editor = active?.document.uri.scheme === 'file' && (!args.input || path.resolve(active.document.uri.fsPath) === args.input) ? active : undefined;
  if (editor && !isCsv(editor.document.uri.fsPath) && !editor.selection.isEmpty) return selectionSource(editor);
  if (args.input) return sourceOfFile(args.input, args, ask);
  if (editor && isCsv(editor.document.uri.fsPath)) return rowSource(rowAt(editor.document, editor.selection.active.line));
  return undefined;
}

function selectionSource(editor: vscode.TextEditor): Source {
  const { start, end } = editor.selection;
  const lines = start.line === end.line ? `line ${start.line + 1}` : `lines ${start.line + 1}–${end.line + 1}`;
  return { kind: 'text', inputPath: '', inputLabel: `selection in ${rel(editor.document.uri.fsPath)} (${lines})`, listed: false, text: editor.document.getText(editor.selection) };
}

async function sourceOfFile(file: string, args: Parsed, ask: boolean): Promise<Source> {
  const kind = isCsv(file) ? 'tabular' : inputKindOf(file);
  if (kind === 'tensor') throw new Error(`counterfactuals take CSV rows, images or text; ${path.basename(file)} is none of them.`);
  if (kind !== 'tabular') return { kind, inputPath: file, listed: true };
  if (args.row !== undefined) return { kind, inputPath: file, listed: true, row: args.row };
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  if (args.line !== undefined) return rowSource(rowAt(doc, args.line - 1));
  const editor = vscode.window.activeTextEditor;
  if (editor && path.resolve(editor.document.uri.fsPath) === file) return rowSource(rowAt(doc, editor.selection.active.line));
  const rows = dataRowCount(doc.getText());
  if (rows <= 1) return { kind, inputPath: file, listed: true };
  const row = ask ? await askRow(file, rows) : undefined;
  if (row === undefined) throw new Error(`${path.basename(file)} holds ${rows} rows: say which (row or line).`);
  return { kind, inputPath: file, listed: true, row };
}

function rowSource(row: EditorRow): Source {
  return { kind: 'tabular', inputPath: row.file, inputLabel: `${rel(row.file)} row ${row.row}`, listed: false, editorRow: row };
}

const isCsv = (file: string): boolean => /\.(csv|tsv)$/i.test(file);

/** The model for the input: an open panel's when it takes it (the active one first), the only one, or a quick pick of those that do. */
async function chooseModel(c: CounterfactualCommandContext, source: Source): Promise<string | undefined> {
  const candidates: CatalogModel[] = source.editorRow
    ? await c.catalog.takingCsv(source.editorRow.file, source.editorRow.header)
    : await c.catalog.ofKind(source.kind);
  if (!candidates.length) {
    throw new Error(
      source.editorRow
        ? `no model in this workspace takes ${rel(source.editorRow.file)}: no tabular model's sidecar names it (data.train, data.test or data.samples) or lists features that are all columns of its header.`
        : `no model in this workspace takes ${KIND_WORDS[source.kind]}: no sidecar says input.kind "${source.kind}".`,
    );
  }
  // The active panel's model, else one with a panel open, is the one the user is looking at.
  const open = [c.panels.active()?.modelPath, ...c.panels.paths()];
  const preferred = open.map((p) => candidates.find((m) => m.modelPath === p)).find((m) => m);
  if (preferred) return preferred.modelPath;
  if (candidates.length === 1) return candidates[0].modelPath;
  const picked = await vscode.window.showQuickPick(
    candidates.map((m) => ({ label: rel(m.modelPath), model: m.modelPath })),
    { title: TITLE, placeHolder: `Which model's decision on ${source.inputLabel ?? rel(source.inputPath)}?` },
  );
  return picked?.model;
}

/** The panel's inputs of the model (its samples first), then the workspace's files of its kind. */
async function pickPanelInput(c: CounterfactualCommandContext, model: string): Promise<string | undefined> {
  const panel = c.panels.open(model, { reload: false });
  await panel.whenRendered();
  const kind = panel.inputKind();
  if (kind === 'tensor') throw new Error(`${rel(model)} takes tensors; counterfactuals take CSV rows, images or text.`);
  const inputs = panel.inputs();
  const current = inputs.find((i) => i.selected);
  return pickInput({
    title: TITLE,
    placeHolder: 'Which input should change its decision?',
    kind,
    first: current ? [{ path: current.path, description: 'current input in the panel' }] : [],
    samples: inputs.map((i) => i.path),
    dialogFolder: path.dirname(model),
  });
}

/** The classes other than the predicted one, most probable first (the runner-up is the default). */
async function pickTarget(engine: EngineClient, model: string, source: Source): Promise<number | undefined> {
  let top;
  try {
    const p = await engine.request('predict', { modelPath: model, inputPath: source.inputPath, top: 1000 });
    top = p.rows[(source.row ?? 1) - 1]?.top;
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err));
  }
  if (!top || top.length < 2) throw new Error(`${rel(model)} has one class: there is no other class to change its decision to.`);
  const [predicted, ...others] = top;
  const percent = (p: number) => `${(p * 100).toFixed(p < 0.001 ? 3 : 1)}%`;
  const picked = await vscode.window.showQuickPick(
    others.map((c, i) => ({ label: c.label, description: `p = ${percent(c.probability)}${i === 0 ? ' · runner-up' : ''}`, index: c.index })),
    { title: TITLE, placeHolder: `The model predicts ${predicted.label} (${percent(predicted.probability)}). Which class should the input get instead?` },
  );
  return picked?.index;
}

const METHOD_DETAILS: Record<CounterfactualMethodChoice, string> = {
  auto: 'The exact method where the logits are affine in the input, else gradient search; region swap for images with a training set; token flip for text',
  'linear-exact': 'The least-cost change under the sidecar\'s constraints, by (mixed-integer) linear programming: for logistic and softmax regression',
  gradient: 'DiCE\'s loss by gradient steps under the constraints; several diverse counterfactuals with a count above 1',
  perturbation: 'The smallest L1 + total-variation change of the pixels',
  'region-swap': 'The fewest feature cells copied in from a training image of the target class (Goyal et al.)',
  'token-flip': 'The fewest word substitutions, ranked by embedding gradients (HotFlip)',
};

async function pickMethod(kind: InputKind): Promise<CounterfactualMethodChoice | undefined> {
  const methods: CounterfactualMethodChoice[] = ['auto', ...COUNTERFACTUAL_KIND_METHODS[kind]];
  const picked = await vscode.window.showQuickPick(
    methods.map((m) => ({ label: COUNTERFACTUAL_METHOD_NAMES[m], detail: METHOD_DETAILS[m], method: m })),
    { title: TITLE, placeHolder: 'Which method? (Automatic is the default)' },
  );
  return picked?.method;
}

async function askCount(): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: TITLE,
    prompt: 'How many diverse counterfactuals? (1: the cheapest one)',
    value: '1',
    validateInput: (v) => checkSectionOptions('counterfactual', { method: 'gradient', count: Number(v) }).problem,
  });
  return text === undefined ? undefined : Number(text);
}

async function askRow(file: string, rows: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: TITLE,
    prompt: `Which data row of ${path.basename(file)}? (1 to ${rows}, counted under the header)`,
    validateInput: (v) => (Number.isInteger(Number(v)) && Number(v) >= 1 && Number(v) <= rows ? undefined : `A whole number from 1 to ${rows}.`),
  });
  return text === undefined ? undefined : Number(text);
}

const rel = (p: string): string => vscode.workspace.asRelativePath(p, false);
