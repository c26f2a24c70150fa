// What the integration suites share: the extension's id, waiting with a deadline, and the
// example files of the workspace the runners open (examples/).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'model-lens.model-lens';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after `ms`. */
export async function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Calls `fn` every 200 ms until it gives something other than undefined, null or false. */
export async function poll<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Activates Model Lens and returns its API. */
export async function activate(): Promise<ModelLensApi> {
  const ext = vscode.extensions.getExtension<ModelLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  return within(ext.activate(), 120_000, 'extension activation');
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the runners open examples/)');
  return folder.uri.fsPath;
}

/** An example file's absolute path (relative to examples/), which must exist. */
export function example(rel: string): string {
  const p = path.join(workspaceRoot(), rel);
  assert.ok(fs.existsSync(p), `example file missing: ${p}`);
  return p;
}

/**
 * Replaces vscode.window[name] (the tests share the extension's `vscode` API object, so the
 * extension's calls go through it) with `fake`, or records calls and passes them on. restore() puts it back.
 */
export function onWindow<K extends keyof typeof vscode.window>(name: K, fake?: (...args: unknown[]) => unknown): { calls: unknown[][]; restore(): void } {
  const win = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = win[name];
  const calls: unknown[][] = [];
  win[name] = (...args: unknown[]) => {
    calls.push(args);
    return fake ? fake(...args) : original.apply(vscode.window, args);
  };
  return { calls, restore: () => (win[name] = original) };
}

/** The view type's tabs in every editor group. */
export function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(viewType)));
}

/**
 * The hover texts (one per hover) at `inside` on `line`, written as line 1 of `file` under a
 * comment line. A document already open keeps its old text until VS Code sees the file change,
 * so its text is also set through an edit: the hover reads what was written, not what was there.
 */
export async function hoverAt(file: string, line: string, inside: string): Promise<string[]> {
  const text = `// Model Lens integration test (temporary)\n${line}\n`;
  fs.writeFileSync(file, text);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  if (doc.getText() !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
    assert.ok(await vscode.workspace.applyEdit(edit), `could not write ${file}`);
    await doc.save();
  }
  await vscode.window.showTextDocument(doc, { preview: false });
  const position = new vscode.Position(1, line.indexOf(inside) + Math.floor(inside.length / 2));
  const hovers = await within(vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position), 60_000, 'vscode.executeHoverProvider');
  return (hovers ?? []).map((hover) => hover.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
}
