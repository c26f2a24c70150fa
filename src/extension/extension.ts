/** Activation: builds the extension's parts and registers them; everything else lives by feature. */
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackendChoice } from '../protocol/model';
import { offersTestApi, testApi, type ModelLensApi } from './api';
import { backendList, unavailableReason } from './engine/backends';
import { EngineClient, type EngineSettings } from './engine/engineClient';
import { selectBackendCommand, warnUnavailable } from './engine/selectBackend';
import { BackendStatusBar } from './engine/statusBar';
import { AttributionCache } from './explain/attributionCache';
import { AttributionHoverProvider } from './explain/attributionHover';
import { explainInputCommand } from './explain/explainInput';
import { registerIcl } from './icl/register';
import { findInfluenceCommand } from './influence/findInfluence';
import { ModelPanels } from './modelPanel/modelPanels';
import { openModelCommand } from './modelPanel/openModel';
import { openSidecar } from './modelPanel/openSidecar';
import { registerCounterfactuals } from './counterfactuals/register';
import { trackConceptFolders } from './concepts/conceptFolders';
import { ConceptScores } from './concepts/conceptScores';
import { LAYER_HOVER_LANGUAGES, LayerHoverProvider } from './concepts/layerHover';
import { LayerIndex } from './concepts/layerIndex';
import { testConceptsCommand } from './concepts/testConcepts';

export type { ModelLensApi } from './api';

export function activate(context: vscode.ExtensionContext): ModelLensApi | undefined {
  const output = vscode.window.createOutputChannel('Model Lens', { log: true });
  const engine = new EngineClient(path.join(context.extensionPath, 'dist', 'engine.js'), output, () => engineSettings(output));
  const statusBar = new BackendStatusBar(engine);
  const cache = new AttributionCache(context.storageUri ?? context.globalStorageUri, output);
  // Per-example training gradients, by checkpoint and training-set hash: shared by every workspace.
  const influenceStorage = { cacheDir: path.join(context.globalStorageUri.fsPath, 'influence'), state: context.workspaceState };
  // The latest concept scores and the known models' layers, for layer hovers.
  const concepts = { state: context.workspaceState, scores: new ConceptScores(), layers: new LayerIndex() };
  const panels = new ModelPanels(context.extensionUri, context.storageUri ?? context.globalStorageUri, engine, output, cache, influenceStorage, concepts);
  const icl = registerIcl(context, engine, output);
  context.subscriptions.push(
    output,
    engine,
    statusBar,
    cache,
    panels,
    panels.registerSerializer(),
    vscode.commands.registerCommand('modelLens.openModel', openModelCommand(panels)),
    vscode.commands.registerCommand('modelLens.explainInput', explainInputCommand(panels, engine, context.workspaceState, output)),
    vscode.commands.registerCommand('modelLens.findInfluence', findInfluenceCommand(panels, output)),
    vscode.languages.registerHoverProvider({ scheme: 'file' }, new AttributionHoverProvider(cache)),
    registerCounterfactuals(context, { panels, engine, output }),
    concepts.layers,
    trackConceptFolders(),
    vscode.commands.registerCommand('modelLens.testConcepts', testConceptsCommand(panels, output)),
    vscode.languages.registerHoverProvider(
      LAYER_HOVER_LANGUAGES.map((language) => ({ scheme: 'file', language })),
      new LayerHoverProvider(concepts.layers, concepts.scores),
    ),
    vscode.commands.registerCommand('modelLens.openSidecar', (uri?: vscode.Uri) => openSidecar(uri)),
    vscode.commands.registerCommand('modelLens.selectBackend', selectBackendCommand(engine)),
    vscode.commands.registerCommand('modelLens.showLog', () => output.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      const backendChanged = e.affectsConfiguration('modelLens.backend');
      if (!backendChanged && !e.affectsConfiguration('modelLens.useBothCores')) return;
      void (async () => {
        const choice = backendSetting();
        const reason = backendChanged ? unavailableReason(choice, await backendList(engine)) : undefined;
        if (reason) {
          // Restarting would only fall back: keep the running engine and say why.
          output.warn(`modelLens.backend is ${choice}, which is not available here (${reason}); the engine keeps its backend.`);
          await warnUnavailable(choice, reason, engine);
          return;
        }
        engine.restart();
        panels.reloadAll();
      })();
    }),
  );
  // Start the engine now so the status bar shows the backend; models load only on request.
  void engine.backend().catch((err: Error) => output.error(err.message));
  return offersTestApi(context) ? testApi(engine, statusBar, panels, cache, icl, context.logUri) : undefined;
}

export function deactivate(): void {}

function backendSetting(): BackendChoice {
  return vscode.workspace.getConfiguration('modelLens').get<BackendChoice>('backend', 'auto');
}

/** What the engine starts with: a backend that cannot start here becomes 'auto' (the log says so). */
function engineSettings(output: vscode.LogOutputChannel): EngineSettings {
  const config = vscode.workspace.getConfiguration('modelLens');
  let backend = backendSetting();
  const reason = unavailableReason(backend);
  if (reason) {
    output.warn(`modelLens.backend is ${backend}, which is not available here (${reason}); starting on auto.`);
    backend = 'auto';
  }
  return { backend, useBothCores: config.get<boolean>('useBothCores', true) };
}
