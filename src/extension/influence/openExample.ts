/** Opens a training example where it lives: an image file, or the CSV / JSONL row at its line. */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExampleLocation } from '../../protocol/influence';

/** Whether `file` is the training set itself (a data file) or inside it (an image folder). */
export function isInTrainingSet(trainPath: string, file: string): boolean {
  const rel = path.relative(path.resolve(trainPath), path.resolve(file));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export async function openExample(location: ExampleLocation, viewColumn: vscode.ViewColumn): Promise<void> {
  const uri = vscode.Uri.file(location.path);
  if (location.line === undefined) {
    await vscode.commands.executeCommand('vscode.open', uri, { viewColumn, preview: true });
    return;
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  const line = doc.lineAt(Math.min(Math.max(0, location.line - 1), doc.lineCount - 1));
  const editor = await vscode.window.showTextDocument(doc, { viewColumn, preview: true, selection: line.range });
  editor.revealRange(line.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
