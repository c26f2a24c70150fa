/**
 * Model Lens: Compare ICL Label Flip — from the explorer or the editor title on a `*.icl.json`, the
 * editor's context menu on a selected prompt, the palette, or scripts:
 *   executeCommand('modelLens.compareIclLabelFlip', specUri)
 *   executeCommand('modelLens.compareIclLabelFlip', { spec, provider, model, options })
 * The spec: the given file, the active `*.icl.json`, the active editor's selected prompt (parsed
 * back into a spec), or one picked from the workspace. Then the provider (the settings' choice,
 * the only one, or a pick), the variants and the saliency method (quick picks unless `options` are
 * given); the comparison runs in the spec's ICL panel. Resolves with the IclResult, or undefined
 * when the user cancelled or the run failed (the panel shows the failure).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { ICL_VARIANTS, type IclResult, type IclSaliency, type IclVariant } from '../../protocol/icl';
import { checkSectionOptions, type IclPanelOptions, type IclSpecView } from '../../protocol/webview';
import { ICL_SALIENCY_NAMES, ICL_VARIANT_DESCRIPTIONS } from '../../shared/icl/names';
import { SpecError } from '../../shared/icl/spec';
import type { IclPanel } from './iclPanel';
import type { IclPanels } from './iclPanels';
import type { ProviderEntry } from './providers';
import { specFromSelection } from './selection';

export interface IclCommandArgs {
  spec?: string | vscode.Uri;
  /** local:<model.json>, openai:<base-url> or openai-chat:<base-url>; default: asked (or the settings'). */
  provider?: string;
  model?: string;
  options?: IclPanelOptions;
}

export const isSpecFile = (p: string): boolean => /\.icl\.json$/i.test(p);

export function compareIclCommand(panels: IclPanels, state: vscode.Memento) {
  return async (first?: unknown): Promise<IclResult | undefined> => {
    const args: IclCommandArgs = first instanceof vscode.Uri ? { spec: first } : isArgs(first) ? first : {};
    if (args.options) {
      const { problem } = checkSectionOptions('icl', args.options);
      if (problem) {
        void vscode.window.showErrorMessage(`Model Lens: ${problem}`);
        return undefined;
      }
    }
    let target: { specPath: string; title?: string } | undefined;
    try {
      target = await resolveSpec(args.spec, panels.env.selectionDir, state);
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    if (!target) return undefined;
    const panel = panels.open(target.specPath, target.title);
    const ready = await panel.ready();
    if (ready.spec.problem) return undefined; // the panel shows it
    const provider = args.provider ? { provider: args.provider, model: args.model } : await pickProvider(panel, ready);
    if (!provider) return undefined;
    const options = args.options ?? (await askOptions(ready.spec, provider.provider));
    if (!options) return undefined;
    try {
      return await panel.compare({ ...provider, options });
    } catch {
      return undefined;
    }
  };
}

function isArgs(v: unknown): v is IclCommandArgs {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri);
}

/**
 * The spec to compare: a given `*.icl.json` (a URI of another file: the active editor's selection
 * in it, as the editor's context menu passes), else the active editor's spec or selected prompt,
 * else one of the workspace's specs.
 */
async function resolveSpec(given: string | vscode.Uri | undefined, selectionDir: string, state: vscode.Memento): Promise<{ specPath: string; title?: string } | undefined> {
  const givenPath = typeof given === 'string' ? path.resolve(given) : given?.scheme === 'file' ? given.fsPath : undefined;
  if (givenPath && isSpecFile(givenPath)) return { specPath: givenPath };
  const editor = vscode.window.activeTextEditor;
  if (editor && isSpecFile(editor.document.uri.path) && editor.document.uri.scheme === 'file' && !givenPath) return { specPath: editor.document.uri.fsPath };
  if (editor && !editor.selection.isEmpty && (!given || editor.document.uri.toString() === (typeof given === 'string' ? vscode.Uri.file(given) : given).toString())) {
    try {
      return await specFromSelection(editor, selectionDir, state);
    } catch (err) {
      throw err instanceof SpecError ? new Error(`${err.message} Select whole demonstrations and the query.`) : err;
    }
  }
  if (given) throw new Error(`${typeof given === 'string' ? given : given.toString()} is not an ICL prompt spec (*.icl.json), and no prompt is selected in it.`);
  const specs = await vscode.workspace.findFiles('**/*.icl.json', '**/node_modules/**', 200);
  if (specs.length === 0) {
    void vscode.window.showInformationMessage('Model Lens: no *.icl.json prompt spec in this workspace. Select a few-shot prompt in an editor, or write a spec (VS Code completes it from its schema).');
    return undefined;
  }
  if (specs.length === 1) return { specPath: specs[0].fsPath };
  const items = specs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri, false), uri })).sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title: 'Model Lens: Compare ICL Label Flip', placeHolder: 'Choose a prompt spec (*.icl.json)' });
  return picked && { specPath: picked.uri.fsPath };
}

/** The settings' provider when they choose one, the only one offered, else a quick pick (the panel's selected one first). */
async function pickProvider(panel: IclPanel, ready: Awaited<ReturnType<IclPanel['ready']>>): Promise<{ provider: string; model?: string } | undefined> {
  const { providers, selected, preferred, notes } = ready;
  const settings = panel.env.settings();
  const chosenBySettings = settings.provider === 'local' ? !!settings.localModel : !!settings.endpoint;
  const take = (e: ProviderEntry) => ({ provider: e.provider, ...(e.model ? { model: e.model } : {}) });
  if (providers.length === 0) {
    void vscode.window.showWarningMessage(`Model Lens: ${notes.join(' ')}`, 'Open Settings').then((c) => c && vscode.commands.executeCommand('workbench.action.openSettings', 'modelLens.icl'));
    return undefined;
  }
  if (chosenBySettings || providers.length === 1) return take(providers[chosenBySettings ? preferred : 0]);
  const items = providers.map((e, i) => ({ label: e.label, description: e.detail, entry: e, picked: i === selected }));
  items.unshift(...items.splice(selected, 1));
  const picked = await vscode.window.showQuickPick(items, { title: 'Model Lens: Compare ICL Label Flip', placeHolder: 'Which language model?' });
  return picked && take(picked.entry);
}

/** The variants (those the spec can build; original and flipped ticked) and the saliency method the provider allows. */
async function askOptions(spec: IclSpecView, provider: string): Promise<IclPanelOptions | undefined> {
  const variants = ICL_VARIANTS.filter((v) => !spec.unavailable[v]);
  const picks = await vscode.window.showQuickPick(
    variants.map((v) => ({ label: v, description: ICL_VARIANT_DESCRIPTIONS[v], picked: v === 'original' || v === 'flipped' })),
    { title: 'Model Lens: Compare ICL Label Flip — variants', placeHolder: 'Which prompt variants to compare', canPickMany: true, ignoreFocusOut: true },
  );
  if (!picks?.length) return undefined;
  const local = provider.startsWith('local:');
  const methods: (IclSaliency | '')[] = ['', ...(local ? (['gradient', 'integrated-gradients'] as const) : []), 'occlusion'];
  const saliency = await vscode.window.showQuickPick(
    methods.map((m) => ({ label: m ? ICL_SALIENCY_NAMES[m] : 'No saliency', description: m === 'occlusion' ? 'one more prompt per word' : m ? 'token attributions of the predicted label' : 'predictions only (fastest)', value: m })),
    { title: 'Model Lens: Compare ICL Label Flip — token saliency', placeHolder: 'Which tokens moved the prediction?', ignoreFocusOut: true },
  );
  if (!saliency) return undefined;
  return { variants: picks.map((p) => p.label as IclVariant), ...(saliency.value ? { saliency: saliency.value } : {}) };
}
