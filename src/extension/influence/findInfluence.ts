/**
 * Model Lens: Find Influential Training Data — from the palette, the model panel, the explorer (a
 * model.json or an input file; with both selected, that pair), or scripts:
 *   executeCommand('modelLens.findInfluence', modelUri, inputUri)
 *   executeCommand('modelLens.findInfluence', { model, input?, method?, train?, label?, top? })   (paths or URIs)
 * Asks for whatever is missing (the model: the active panel's or a quick pick; the method; the
 * input: the panel's current one first, or a file), opens the model panel and ranks the training
 * set there. Resolves with the InfluenceResult, or undefined when the user cancelled or the query
 * failed (the failure is shown in the panel and a notification).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { INFLUENCE_METHODS, type InfluenceMethod, type InfluenceResult } from '../../protocol/influence';
import { checkSectionOptions, INFLUENCE_METHOD_NAMES } from '../../protocol/webview';
import { EngineError } from '../engine/engineClient';
import type { ModelPanel } from '../modelPanel/modelPanel';
import type { ModelPanels } from '../modelPanel/modelPanels';
import { isModelFile } from '../explain/explainInput';
import { pickInput } from '../workspace/pickInput';
import { pickModel } from '../workspace/pickModel';
import { requireTrust } from '../workspace/trust';
import { isOptionsObject, localPath } from '../workspace/commandArgs';

export interface FindInfluenceArgs {
  model?: string | vscode.Uri;
  input?: string | vscode.Uri;
  method?: InfluenceMethod;
  train?: string | vscode.Uri;
  label?: number;
  top?: number;
}

interface Parsed {
  model?: string;
  input?: string;
  method?: InfluenceMethod;
  train?: string;
  label?: number;
  top?: number;
}

const TITLE = 'Model Lens: Find Influential Training Data';

const METHOD_DETAILS: Record<InfluenceMethod, string> = {
  influence: 'Koh & Liang: how removing each training example would change the loss on this input (inverse-Hessian-vector products)',
  tracin: "Gradient agreement summed over the training run's checkpoints (the sidecar's data.checkpoints)",
  self: 'Rank the whole training set by self-influence: likely mislabelled or atypical examples',
};

export function findInfluenceCommand(panels: ModelPanels, output: vscode.LogOutputChannel) {
  return async (first?: unknown, second?: unknown): Promise<InfluenceResult | undefined> => {
    if (!requireTrust('find influential training data')) return undefined;
    let args: Parsed;
    try {
      args = parseArgs(first, second);
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const model = args.model ?? panels.active()?.modelPath ?? (await pickModel(TITLE, 'Which model?'))?.fsPath;
    if (!model) return undefined;
    const method = args.method ?? (await pickMethod());
    if (!method) return undefined;
    const panel = panels.open(model, { reload: false });
    const input = method === 'self' ? undefined : (args.input ?? (await pickPanelInput(panel)));
    if (method !== 'self' && !input) return undefined;
    try {
      return await panel.findInfluence({ method, inputPath: input, train: args.train, label: args.label, top: args.top });
    } catch (err) {
      // The panel and a notification already show the failure; cancelling is not one.
      if (!(err instanceof EngineError)) output.error(`Find Influential Training Data: ${String(err)}`);
      return undefined;
    }
  };
}

function parseArgs(first: unknown, second: unknown): Parsed {
  const out: Parsed = {};
  if (isOptions(first)) {
    out.model = localPath(first.model, 'model');
    out.input = localPath(first.input, 'input');
    out.train = localPath(first.train, 'train');
    if (first.method !== undefined && !INFLUENCE_METHODS.includes(first.method)) throw new Error(`unknown influence method ${JSON.stringify(first.method)}; use ${INFLUENCE_METHODS.join(', ')}.`);
    out.method = first.method;
    // Bounds as the panel's: the option schemas' (the method is asked for later when absent).
    const { problem } = checkSectionOptions('influence', { method: first.method ?? 'influence', label: first.label, top: first.top });
    if (problem) throw new Error(problem);
    out.label = first.label;
    out.top = first.top;
  } else {
    // From the explorer: the clicked resource, and every selected one (a model and an input selected together are a pair).
    const selected = Array.isArray(second) && second.length === 2 ? second : [first];
    for (const p of selected.map((s) => localPath(s, 'a selected resource'))) {
      if (p && isModelFile(p)) out.model ??= p;
      else if (p) out.input ??= p;
    }
  }
  if (out.model && !isModelFile(out.model)) throw new Error(`${out.model} is not a model.json.`);
  return out;
}

const isOptions = (v: unknown): v is FindInfluenceArgs => isOptionsObject(v);

async function pickMethod(): Promise<InfluenceMethod | undefined> {
  const items = INFLUENCE_METHODS.map((method) => ({ label: INFLUENCE_METHOD_NAMES[method], detail: METHOD_DETAILS[method], method }));
  const picked = await vscode.window.showQuickPick(items, { title: TITLE, placeHolder: 'Which method?' });
  return picked?.method;
}

/** The inputs the model takes: the panel's current one first, then the panel's others (its samples first), then the workspace's. */
async function pickPanelInput(panel: ModelPanel): Promise<string | undefined> {
  await panel.whenRendered();
  const [current, ...others] = panel.inputs();
  return pickInput({
    title: TITLE,
    placeHolder: 'Which prediction? Choose its input',
    kind: panel.inputKind(),
    first: current?.selected ? [{ path: current.path, description: 'current input in the panel' }] : [],
    samples: (current?.selected ? others : panel.inputs()).map((i) => i.path),
    dialogFolder: path.dirname(panel.modelPath),
  });
}
