/** Model Lens: Open Model — from the explorer, the editor title, or the palette (quick pick). */
import * as vscode from 'vscode';
import type { ModelPanels } from './modelPanels';
import { pickModel } from '../workspace/pickModel';
import { requireTrust } from '../workspace/trust';

export function openModelCommand(panels: ModelPanels) {
  return async (uri?: vscode.Uri): Promise<void> => {
    if (!requireTrust('open models')) return;
    const target = uri instanceof vscode.Uri ? uri : (activeModelJson() ?? (await pickModel('Model Lens: Open Model', 'Choose a TensorFlow.js model.json')));
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
