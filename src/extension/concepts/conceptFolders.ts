/**
 * The context key `modelLens.conceptFolders`: every folder (or file) a workspace sidecar names as a
 * concept (data.concepts), so the explorer offers Test Concepts (TCAV) on exactly those. Read from
 * the sidecars in a trusted workspace, again whenever one changes.
 */
import * as path from 'path';
import * as vscode from 'vscode';

const KEY = 'modelLens.conceptFolders';
const MAX_SIDECARS = 500;
const REFRESH_DELAY_MS = 500;

export function trackConceptFolders(): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void conceptFolders().then((folders) => vscode.commands.executeCommand('setContext', KEY, folders)), REFRESH_DELAY_MS);
  };
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.lens.json');
  const subscriptions = [watcher, watcher.onDidChange(refresh), watcher.onDidCreate(refresh), watcher.onDidDelete(refresh), vscode.workspace.onDidGrantWorkspaceTrust(refresh)];
  refresh();
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    subscriptions.forEach((s) => s.dispose());
  });
}

async function conceptFolders(): Promise<string[]> {
  if (!vscode.workspace.isTrusted) return [];
  const folders = new Set<string>();
  for (const uri of await vscode.workspace.findFiles('**/*.lens.json', '**/node_modules/**', MAX_SIDECARS)) {
    try {
      const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')) as { data?: { concepts?: Record<string, unknown> } };
      for (const rel of Object.values(sidecar.data?.concepts ?? {})) if (typeof rel === 'string') folders.add(path.resolve(path.dirname(uri.fsPath), rel));
    } catch {
      /* a sidecar that does not parse names no concepts; its panel says why */
    }
  }
  return [...folders];
}
