/** The workspace's models, and a quick pick of them for the commands that need a model. */
import * as path from 'path';
import * as vscode from 'vscode';

const LIMIT = 500;

/**
 * Every *model.json in the workspace (node_modules aside), at most 500, without the TracIn
 * checkpoints that sidecars list: those are reached from their model, not picked as models.
 */
export async function workspaceModels(): Promise<vscode.Uri[]> {
  const [models, sidecars] = await Promise.all([
    vscode.workspace.findFiles('**/*model.json', '**/node_modules/**', LIMIT),
    vscode.workspace.findFiles('**/*.lens.json', '**/node_modules/**', LIMIT),
  ]);
  const checkpoints = new Set<string>();
  await Promise.all(
    sidecars.map(async (uri) => {
      try {
        const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')) as { data?: { checkpoints?: { path?: unknown }[] } };
        for (const c of sidecar.data?.checkpoints ?? []) if (typeof c?.path === 'string') checkpoints.add(path.resolve(path.dirname(uri.fsPath), c.path));
      } catch {
        /* a sidecar that does not parse lists nothing; its panel says why */
      }
    }),
  );
  return models.filter((uri) => !checkpoints.has(path.resolve(uri.fsPath)));
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
