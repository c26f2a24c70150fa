/** Composition root: wires the engine client, status bar, panels and commands. */
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackendChoice, BackendName } from '../protocol/model';
import type { SaliencyResult } from '../protocol/saliency';
import { EngineClient, type EngineSettings } from './engine/engineClient';
import { AttributionCache } from './explain/attributionCache';
import { explainInputCommand } from './explain/explainInput';
import { findInfluenceCommand } from './influence/findInfluence';
import { AttributionHoverProvider } from './explain/attributionHover';
import { BackendStatusBar } from './engine/statusBar';
import { ModelPanels } from './modelPanel/modelPanels';
import type { PanelState } from './modelPanel/modelPanel';
import { openModelCommand } from './modelPanel/openModel';
import { openSidecar } from './modelPanel/openSidecar';
import { selectBackend } from './engine/selectBackend';

/** What activate() returns: used by the integration tests and by other extensions. */
export interface ModelLensApi {
  backend(): Promise<BackendName>;
  statusBarText(): string;
  openPanels(): string[];
  whenRendered(modelPath: string): Promise<void>;
  /** What the panel for modelPath shows, or undefined when none is open. */
  panelState(modelPath: string): PanelState | undefined;
  /** The latest attribution computed for an input file (or, failing that, with a model), if any. */
  lastAttribution(inputPath: string): SaliencyResult | undefined;
  /**
   * Hands the panel of modelPath a message as if its webview had sent it (validated the same way),
   * so tests can drive the panel without its DOM. False when rejected or no panel is open.
   */
  sendFromWebview(modelPath: string, message: unknown): boolean;
}

export function activate(context: vscode.ExtensionContext): ModelLensApi {
  const output = vscode.window.createOutputChannel('Model Lens', { log: true });
  const settings = (): EngineSettings => {
    const config = vscode.workspace.getConfiguration('modelLens');
    return { backend: config.get<BackendChoice>('backend', 'auto'), useBothCores: config.get<boolean>('useBothCores', true) };
  };
  const engine = new EngineClient(path.join(context.extensionPath, 'dist', 'engine.js'), output, settings);
  const statusBar = new BackendStatusBar(engine);
  const cache = new AttributionCache(context.storageUri ?? context.globalStorageUri, output);
  // Per-example training gradients, by checkpoint and training-set hash: shared by every workspace.
  const influenceStorage = { cacheDir: path.join(context.globalStorageUri.fsPath, 'influence'), state: context.workspaceState };
  const panels = new ModelPanels(context.extensionUri, engine, output, cache, influenceStorage);
  context.subscriptions.push(
    output,
    engine,
    statusBar,
    cache,
    panels,
    vscode.commands.registerCommand('modelLens.openModel', openModelCommand(panels)),
    vscode.commands.registerCommand('modelLens.explainInput', explainInputCommand(panels, engine, context.workspaceState, output)),
    vscode.commands.registerCommand('modelLens.findInfluence', findInfluenceCommand(panels, output)),
    vscode.languages.registerHoverProvider({ scheme: 'file' }, new AttributionHoverProvider(cache)),
    vscode.commands.registerCommand('modelLens.openSidecar', openSidecar),
    vscode.commands.registerCommand('modelLens.selectBackend', selectBackend),
    vscode.commands.registerCommand('modelLens.showLog', () => output.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('modelLens.backend') && !e.affectsConfiguration('modelLens.useBothCores')) return;
      engine.restart();
      panels.reloadAll();
    }),
  );
  // Start the engine now so the status bar shows the backend; models load only on request.
  void engine.backend().catch((err: Error) => output.error(err.message));
  return {
    backend: () => engine.backend(),
    statusBarText: () => statusBar.text,
    openPanels: () => panels.paths(),
    panelState: (modelPath) => panels.get(path.resolve(modelPath))?.describe(),
    sendFromWebview: (modelPath, message) => panels.get(path.resolve(modelPath))?.receive(message) ?? false,
    lastAttribution: (inputPath) => (cache.forInput(inputPath) ?? cache.forModel(inputPath))?.result,
    whenRendered: async (modelPath) => {
      const panel = panels.get(path.resolve(modelPath));
      if (!panel) throw new Error(`No Model Lens panel is open for ${modelPath}.`);
      return panel.whenRendered();
    },
  };
}

export function deactivate(): void {}
