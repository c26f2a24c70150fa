/**
 * The workspace's models and what their sidecars say they take (sidecarInputs.ts), read once and
 * again when a model or sidecar changes: for CodeLenses on the CSVs a model takes, and for
 * commands that offer only the models that take an input.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { InputKind } from '../../protocol/model';
import { Disposable } from '../panel/dispose';
import { workspaceModels } from './pickModel';
import { catalogEntry, modelsTakingCsv, sidecarOf, type CatalogModel } from './sidecarInputs';

export class ModelCatalog extends Disposable {
  private models: Promise<CatalogModel[]> | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires when a model or sidecar was added, changed or deleted. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    for (const glob of ['**/*model.json', '**/*.lens.json']) {
      const watcher = this._register(vscode.workspace.createFileSystemWatcher(glob));
      const invalidate = () => {
        this.models = undefined;
        this.changed.fire();
      };
      this._register(watcher.onDidCreate(invalidate));
      this._register(watcher.onDidChange(invalidate));
      this._register(watcher.onDidDelete(invalidate));
    }
  }

  all(): Promise<CatalogModel[]> {
    this.models ??= workspaceModels().then((uris) => Promise.all(uris.map((uri) => read(path.resolve(uri.fsPath)))));
    return this.models;
  }

  /** The models whose sidecars say they take `kind`. */
  async ofKind(kind: InputKind): Promise<CatalogModel[]> {
    return (await this.all()).filter((m) => m.kind === kind);
  }

  /** The tabular models a CSV belongs to (named by their sidecars first, then by its header). */
  async takingCsv(file: string, header: string[]): Promise<CatalogModel[]> {
    return modelsTakingCsv(await this.all(), file, header);
  }

  /** One model as the catalogue knows it (read now when it is not in the workspace). */
  async get(modelPath: string): Promise<CatalogModel> {
    return (await this.all()).find((m) => m.modelPath === path.resolve(modelPath)) ?? read(path.resolve(modelPath));
  }
}

async function read(modelPath: string): Promise<CatalogModel> {
  try {
    return catalogEntry(modelPath, JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(sidecarOf(modelPath)))).toString('utf8')));
  } catch {
    // No sidecar, or one that does not parse: the kind is unknown (the panel says why).
    return catalogEntry(modelPath, undefined);
  }
}
