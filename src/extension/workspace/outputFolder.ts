/**
 * Where saved results go: the modelLens.outputFolder setting (relative to the first workspace
 * folder, or absolute; default model-lens-output), not next to the inputs. The folder is created
 * when Save is first used (save dialogs want an existing folder) and the dialog suggests a file there.
 */
import * as path from 'path';
import * as vscode from 'vscode';

/** The output folder, or undefined without a workspace folder (and no absolute setting). */
export function outputFolder(): vscode.Uri | undefined {
  const setting = vscode.workspace.getConfiguration('modelLens').get<string>('outputFolder', 'model-lens-output').trim() || 'model-lens-output';
  if (path.isAbsolute(setting)) return vscode.Uri.file(setting);
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
  return root && vscode.Uri.joinPath(root, setting);
}

/** Asks where to save `name` (suggesting the output folder), then writes `bytes` there and says so. */
export async function saveToOutputFolder(name: string, bytes: Uint8Array, dialog: { title: string; filters: Record<string, string[]> }): Promise<vscode.Uri | undefined> {
  const folder = outputFolder();
  if (folder) await Promise.resolve(vscode.workspace.fs.createDirectory(folder)).catch(() => undefined);
  const target = await vscode.window.showSaveDialog({ ...dialog, ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}) });
  if (!target) return undefined;
  try {
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Model Lens: saved ${vscode.workspace.asRelativePath(target)}.`);
    return target;
  } catch (err) {
    void vscode.window.showErrorMessage(`Model Lens: could not save ${target.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}
