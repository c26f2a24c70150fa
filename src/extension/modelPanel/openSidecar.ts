/** Opens `<name>.lens.json` beside a checkpoint, creating it from a template when absent. */
import * as vscode from 'vscode';
import { sidecarOf } from '../workspace/sidecarInputs';
import { requireTrust } from '../workspace/trust';

const TEMPLATE = {
  description: '',
  input: { kind: 'image', size: [224, 224], channels: 3, scale: 1 / 255 },
  labels: [],
  data: { samples: [] },
};

/** `viewColumn`: where to show it (from a panel: beside it); default the active group. */
export async function openSidecar(uri?: vscode.Uri, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<void> {
  if (!uri || !requireTrust('edit sidecars')) return;
  const file = vscode.Uri.file(sidecarOf(uri.fsPath));
  try {
    await vscode.workspace.fs.stat(file);
  } catch {
    await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(TEMPLATE, null, 2) + '\n'));
  }
  await vscode.window.showTextDocument(file, { viewColumn });
}
