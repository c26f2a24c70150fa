/** The workspace's model.json files, and a quick pick of them for the commands that need a model. */
import * as vscode from 'vscode';

/** Every *model.json in the workspace (node_modules aside), at most 500. */
export function workspaceModels(): Thenable<vscode.Uri[]> {
  return vscode.workspace.findFiles('**/*model.json', '**/node_modules/**', 500);
}

/** A quick pick of the workspace's models by relative path; says so when there is none. */
export async function pickModel(title: string, placeHolder: string): Promise<vscode.Uri | undefined> {
  const files = await workspaceModels();
  if (files.length === 0) {
    void vscode.window.showInformationMessage('Model Lens: no model.json in this workspace. Open a folder with a TensorFlow.js model.');
    return undefined;
  }
  const items = files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })).sort((a, b) => a.label.localeCompare(b.label));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder });
  return picked?.uri;
}
