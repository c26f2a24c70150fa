/**
 * Which models have a layer of a given name, for layer hovers: the models a panel has loaded (their
 * summaries: class, output shape, parameters; kept after the panel closes) and the workspace's
 * layers models as their model.json declares them (name and class: shapes need the model loaded).
 * The workspace's topologies are read once, on the first hover, and again after a model.json changes.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { LayerSummary, ModelSummary } from '../../protocol/model';
import { Disposable } from '../panel/dispose';
import { workspaceModels } from '../workspace/pickModel';
import { topologyLayers, type DeclaredLayer } from './topologyLayers';

export interface LayerMatch {
  modelPath: string;
  layer: DeclaredLayer & Partial<Pick<LayerSummary, 'outputShape' | 'params'>>;
  /** From a loaded model's summary (its output shape known), or only declared in its model.json. */
  loaded: boolean;
}

/** A topology larger than this is not read for hovers. */
const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;
const MAX_LOADED = 64;

export class LayerIndex extends Disposable {
  private readonly loaded = new Map<string, LayerSummary[]>();
  private declared: Promise<Map<string, DeclaredLayer[]>> | undefined;

  constructor() {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*model.json'));
    const forget = () => (this.declared = undefined);
    this._register(watcher.onDidChange(forget));
    this._register(watcher.onDidCreate(forget));
    this._register(watcher.onDidDelete(forget));
  }

  /** A model a panel loaded: its layers as the engine reported them. */
  putSummary(modelPath: string, summary: ModelSummary): void {
    const key = path.resolve(modelPath);
    this.loaded.delete(key);
    this.loaded.set(key, summary.layers);
    while (this.loaded.size > MAX_LOADED) this.loaded.delete(this.loaded.keys().next().value as string);
  }

  /** Every known model with a layer named `name`: loaded ones with their summaries, then the workspace's others. */
  async find(name: string, token: vscode.CancellationToken): Promise<LayerMatch[]> {
    const out: LayerMatch[] = [];
    for (const [modelPath, layers] of this.loaded) {
      const layer = layers.find((l) => l.name === name);
      if (layer) out.push({ modelPath, layer: { name: layer.name, className: layer.className, outputShape: layer.outputShape, params: layer.params }, loaded: true });
    }
    if (token.isCancellationRequested) return out;
    for (const [modelPath, layers] of await this.workspaceLayers()) {
      const layer = layers.find((l) => l.name === name);
      if (layer && !this.loaded.has(modelPath)) out.push({ modelPath, layer, loaded: false });
    }
    return out;
  }

  private workspaceLayers(): Promise<Map<string, DeclaredLayer[]>> {
    this.declared ??= readWorkspaceLayers();
    return this.declared;
  }
}

async function readWorkspaceLayers(): Promise<Map<string, DeclaredLayer[]>> {
  const out = new Map<string, DeclaredLayer[]>();
  for (const uri of await workspaceModels()) {
    try {
      if ((await vscode.workspace.fs.stat(uri)).size > MAX_MODEL_JSON_BYTES) continue;
      const layers = topologyLayers(JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8')));
      if (layers.length) out.set(path.resolve(uri.fsPath), layers);
    } catch {
      /* unreadable or not JSON: its panel says why when it is opened */
    }
  }
  return out;
}
