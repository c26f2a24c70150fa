/**
 * Model Lens: Explain Input… — from the explorer (an image or a model.json; with both selected,
 * that pair), the palette, a hover's command link, or scripts:
 *   executeCommand('modelLens.explainInput', modelUri, inputUri)
 *   executeCommand('modelLens.explainInput', { model, input, options })   (paths or URIs)
 * Asks for whatever is missing (quick picks, the last pairing first), opens the model panel and runs
 * Integrated Gradients (or `options`) on the input. Resolves with the SaliencyResult, or undefined
 * when the user cancelled or the run failed (the failure is shown in the panel and a notification).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { SaliencyResult } from '../../protocol/saliency';
import { checkSectionOptions, type ExplainOptions } from '../../protocol/webview';
import type { EngineClient } from '../engine/engineClient';
import { EngineError } from '../engine/engineClient';
import { DEFAULT_EXPLAIN_METHOD } from './options';
import type { ModelPanels } from '../modelPanel/modelPanels';
import { modelInputKind } from '../workspace/inputKinds';
import { chooseFile, pickInput } from '../workspace/pickInput';
import { workspaceModels } from '../workspace/pickModel';
import { requireTrust } from '../workspace/trust';

const PAIRINGS_KEY = 'modelLens.explainPairings';
const MAX_PAIRINGS = 100;

interface Pairings {
  last?: { model: string; input: string };
  /** input path → the model it was last explained with, and the reverse. */
  modelFor: Record<string, string>;
  inputFor: Record<string, string>;
}

export interface ExplainArgs {
  model?: string | vscode.Uri;
  input?: string | vscode.Uri;
  options?: Partial<ExplainOptions>;
}

export const isModelFile = (p: string): boolean => /model\.json$/i.test(p);
export const isImageFile = (p: string): boolean => /\.(png|jpe?g)$/i.test(p);

export function explainInputCommand(panels: ModelPanels, engine: EngineClient, state: vscode.Memento, output: vscode.LogOutputChannel) {
  return async (first?: unknown, second?: unknown): Promise<SaliencyResult | undefined> => {
    if (!requireTrust('explain inputs')) return undefined;
    let args: { model?: string; input?: string; options: ExplainOptions };
    try {
      args = parseArgs(first, second);
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const pairings = readPairings(state);
    const model = args.model ?? (await pickPairedModel(args.input, pairings));
    if (!model) return undefined;
    const input = args.input ?? (await pickModelInput(model, pairings, engine));
    if (!input) return undefined;
    await rememberPairing(state, pairings, model, input);
    const panel = panels.open(model, { reload: false });
    try {
      return await panel.explain(input, args.options);
    } catch (err) {
      // The panel and a notification already show the failure; cancelling is not one.
      if (!(err instanceof EngineError)) output.error(`Explain Input: ${String(err)}`);
      return undefined;
    }
  };
}

function parseArgs(first: unknown, second: unknown): { model?: string; input?: string; options: ExplainOptions } {
  const out: { model?: string; input?: string } = {};
  const assign = (p: string | undefined) => {
    if (!p) return;
    if (isModelFile(p)) out.model ??= p;
    else out.input ??= p;
  };
  let extra: Partial<ExplainOptions> | undefined;
  if (isPlainObject(first) && !(first instanceof vscode.Uri)) {
    const a = first as ExplainArgs;
    out.model = toPath(a.model, 'model');
    out.input = toPath(a.input, 'input');
    extra = a.options;
  } else {
    assign(toPath(first, 'the first argument'));
    // From the explorer, the second argument is every selected resource: a model and an input selected together are a pair.
    if (Array.isArray(second)) {
      const selected = second.map((s) => toPath(s, 'a selected resource')).filter((p): p is string => !!p);
      if (selected.length === 2) selected.forEach(assign);
    } else assign(toPath(second, 'the second argument'));
  }
  if (out.model && !isModelFile(out.model)) throw new Error(`${out.model} is not a model.json.`);
  // The panel's options, validated as the panel's are; each method gets its own defaults.
  const { options, problem } = checkSectionOptions('explain', { method: DEFAULT_EXPLAIN_METHOD, ...(extra ?? {}) });
  if (!options) throw new Error(`invalid explanation options: ${problem}`);
  return { ...out, options };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toPath(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  let uri: vscode.Uri | undefined;
  if (value instanceof vscode.Uri) uri = value;
  else if (typeof value === 'string') uri = /^[a-z][a-z0-9+.-]+:\/\//i.test(value) ? vscode.Uri.parse(value) : vscode.Uri.file(path.resolve(value));
  else if (isPlainObject(value) && typeof value.scheme === 'string' && typeof value.path === 'string') uri = vscode.Uri.from(value as never);
  if (!uri) throw new Error(`${what} is not a file path or URI.`);
  if (uri.scheme !== 'file') throw new Error(`Model Lens explains files on disk; ${uri.toString()} is not a local file.`);
  return path.resolve(uri.fsPath);
}

function readPairings(state: vscode.Memento): Pairings {
  const p = state.get<Pairings>(PAIRINGS_KEY);
  return { last: p?.last, modelFor: { ...(p?.modelFor ?? {}) }, inputFor: { ...(p?.inputFor ?? {}) } };
}

async function rememberPairing(state: vscode.Memento, p: Pairings, model: string, input: string): Promise<void> {
  const bump = (map: Record<string, string>, k: string, v: string) => {
    delete map[k];
    map[k] = v;
    const keys = Object.keys(map);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_PAIRINGS))) delete map[old];
  };
  bump(p.modelFor, input, model);
  bump(p.inputFor, model, input);
  await state.update(PAIRINGS_KEY, { last: { model, input }, modelFor: p.modelFor, inputFor: p.inputFor } satisfies Pairings);
}

type PathItem = vscode.QuickPickItem & { path?: string; choose?: boolean };

const separator = (label: string): PathItem => ({ label, kind: vscode.QuickPickItemKind.Separator });
const rel = (p: string) => vscode.workspace.asRelativePath(p);

/** The workspace's models, the one last used with `input` (or last used at all) first, then "Choose file…". */
async function pickPairedModel(input: string | undefined, pairings: Pairings): Promise<string | undefined> {
  const files = (await workspaceModels()).map((u) => path.resolve(u.fsPath));
  const remembered = [input && pairings.modelFor[input], pairings.last?.model].filter((p): p is string => !!p);
  let first: string | undefined;
  for (const p of remembered) if (!first && (files.includes(p) || (await exists(p)))) first = p;
  const items: PathItem[] = [];
  if (first) items.push({ label: rel(first), description: input && pairings.modelFor[input] === first ? 'last used with this input' : 'last used', path: first });
  const rest = files.filter((f) => f !== first).sort((a, b) => rel(a).localeCompare(rel(b)));
  if (rest.length) items.push(separator('workspace models'), ...rest.map((f) => ({ label: rel(f), path: f })));
  items.push(separator(''), { label: '$(folder-opened) Choose file…', choose: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Model Lens: Explain Input',
    placeHolder: input ? `Which model should explain ${path.basename(input)}?` : 'Choose a TensorFlow.js model.json',
  });
  if (!picked) return undefined;
  if (picked.choose) return chooseFile('Choose a model.json', { 'TensorFlow.js model': ['json'] });
  return picked.path;
}

/** The model's inputs (only what it can take): the one last used with it first, then its samples and the workspace's files. */
async function pickModelInput(model: string, pairings: Pairings, engine: EngineClient): Promise<string | undefined> {
  const summary = await engine.request('info', { modelPath: model }).catch(() => undefined); // the panel shows why a model does not load
  const { path: sidecarPath, sidecar } = summary?.sidecar ?? { path: null, sidecar: {} };
  const last = pairings.inputFor[model];
  return pickInput({
    title: `Model Lens: Explain Input with ${rel(model)}`,
    placeHolder: `Choose an input: ${INPUT_WORDS[modelInputKind(summary) ?? 'tensor']}`,
    kind: modelInputKind(summary),
    first: last && (await exists(last)) ? [{ path: last, description: 'last used with this model' }] : [],
    samples: sidecarPath ? (sidecar.data?.samples ?? []).map((s) => path.resolve(path.dirname(sidecarPath), s)) : [],
    dialogFolder: path.dirname(model),
  });
}

const INPUT_WORDS = { image: 'an image', tabular: 'CSV rows', text: 'a text file', tensor: 'a tensor JSON' } as const;

async function exists(p: string): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(vscode.Uri.file(p));
    return true;
  } catch {
    return false;
  }
}
