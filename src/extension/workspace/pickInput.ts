/**
 * The quick pick of inputs for a model (Explain Input…, Find Influential Training Data): only files
 * the model can take, the remembered ones first, then the sidecar's samples, then the workspace's
 * files of that kind, then "Choose file…" (a dialog filtered the same way).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { InputKind } from '../../protocol/model';
import { fitsModel, inputFilters, inputGlob } from './inputKinds';

type PathItem = vscode.QuickPickItem & { path?: string; choose?: boolean };

export interface InputChoices {
  title: string;
  placeHolder: string;
  /** The model's input kind (undefined: any input). */
  kind: InputKind | undefined;
  /** Offered first, with why (e.g. "last used with this model"). */
  first?: { path: string; description: string }[];
  /** The sidecar's samples (and files chosen before), absolute. */
  samples: string[];
  /** Where the dialog opens. */
  dialogFolder: string;
}

const EXCLUDE = '{**/node_modules/**,**/*model.json,**/*.lens.json,**/package*.json,**/tsconfig*.json,**/.*/**}';

export async function pickInput(c: InputChoices): Promise<string | undefined> {
  const rel = (p: string) => vscode.workspace.asRelativePath(p);
  const items: PathItem[] = [];
  const seen = new Set<string>();
  const add = (p: string, description?: string) => {
    if (seen.has(p) || !fitsModel(p, c.kind)) return;
    seen.add(p);
    items.push({ label: rel(p), description, path: p });
  };
  for (const f of c.first ?? []) add(f.path, f.description);
  const samples = c.samples.filter((s) => fitsModel(s, c.kind) && !seen.has(s));
  if (samples.length) {
    items.push({ label: 'sidecar samples', kind: vscode.QuickPickItemKind.Separator });
    samples.forEach((s) => add(s, 'sample'));
  }
  const files = (await vscode.workspace.findFiles(inputGlob(c.kind), EXCLUDE, 500)).map((u) => path.resolve(u.fsPath));
  const rest = files.filter((p) => !seen.has(p)).sort((a, b) => rel(a).localeCompare(rel(b)));
  if (rest.length) {
    items.push({ label: 'workspace files', kind: vscode.QuickPickItemKind.Separator });
    rest.forEach((p) => add(p));
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator }, { label: '$(folder-opened) Choose file…', choose: true });
  const picked = await vscode.window.showQuickPick(items, { title: c.title, placeHolder: c.placeHolder, matchOnDescription: true });
  if (!picked) return undefined;
  return picked.choose ? chooseInputFile('Choose an input', c.kind, c.dialogFolder) : picked.path;
}

/** An open dialog for one input file of `kind`; undefined when cancelled or not a local file. */
export function chooseInputFile(title: string, kind: InputKind | undefined, folder?: string): Promise<string | undefined> {
  return chooseFile(title, inputFilters(kind), folder);
}

/** An open dialog for one local file; undefined when cancelled or not a local file (which is said). */
export async function chooseFile(title: string, filters: Record<string, string[]>, folder?: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters, defaultUri: folder ? vscode.Uri.file(folder) : undefined });
  const uri = picked?.[0];
  if (!uri) return undefined;
  if (uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Model Lens reads files on disk; ${uri.toString()} is not a local file.`);
    return undefined;
  }
  return path.resolve(uri.fsPath);
}
