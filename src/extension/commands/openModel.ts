/** Model Lens: Open Model — from the explorer, the editor title, or the palette (quick pick). */
import * as vscode from 'vscode';
import type { ModelPanels } from '../panels/modelPanels';
import { requireTrust } from './trust';

export function openModelCommand(panels: ModelPanels) {
  return async (uri?: vscode.Uri): Promise<void> => {
    if (!requireTrust('open models')) return;
    const target = uri instanceof vscode.Uri ? uri : (activeModelJson() ?? (await pickModel()));
    if (!target) return;
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Model Lens opens models on disk; ${target.toString()} is not a local file.`);
      return;
    }
    panels.open(target.fsPath);
  };
}

function activeModelJson(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && /model\.json$/i.test(uri.path) ? uri : undefined;
}

async function pickModel(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*model.json', '**/node_modules/**', 500);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Model Lens: no model.json in this workspace. Open a folder with a TensorFlow.js model.');
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title: 'Model Lens: Open Model', placeHolder: 'Choose a TensorFlow.js model.json' });
  return picked?.uri;
}
