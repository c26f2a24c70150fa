/**
 * Keeps one ModelPanel per checkpoint path: opening a model twice reveals its panel. Its
 * serializer revives the panels of a reloaded window with what they showed: the webview's state
 * names the model (and the runs it saw), the extension's storage holds the results.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseSavedPanelState } from '../../protocol/webview';
import type { EngineClient } from '../engine/engineClient';
import type { AttributionCache } from '../explain/attributionCache';
import type { InfluenceStorage } from '../influence/influenceSection';
import type { ConceptsContext } from '../concepts/conceptSection';
import { MODEL_PANEL_VIEW_TYPE, ModelPanel } from './modelPanel';
import { PanelStore } from './panelStore';

export class ModelPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();
  private readonly store: PanelStore;

  constructor(
    private readonly extensionUri: vscode.Uri,
    storageUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly cache: AttributionCache,
    private readonly influenceStorage: InfluenceStorage,
    private readonly concepts: ConceptsContext,
  ) {
    this.store = new PanelStore(vscode.Uri.joinPath(storageUri, 'panels'), output);
  }

  /** Opens (or reveals) the panel of a checkpoint; `reload: false` keeps an open panel's summary as it is. */
  open(modelPath: string, { reload = true }: { reload?: boolean } = {}): ModelPanel {
    const existing = this.panels.get(modelPath);
    if (existing) {
      existing.reveal();
      if (reload) void existing.load();
      return existing;
    }
    return this.adopt(modelPath, ModelPanel.createWebviewPanel(modelPath, this.extensionUri));
  }

  private adopt(modelPath: string, webviewPanel: vscode.WebviewPanel, revived?: ConstructorParameters<typeof ModelPanel>[9]): ModelPanel {
    const panel = new ModelPanel(modelPath, webviewPanel, this.extensionUri, this.engine, this.output, this.cache, this.influenceStorage, this.concepts, this.store, revived);
    this.panels.set(modelPath, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(modelPath) === panel) this.panels.delete(modelPath);
    });
    return panel;
  }

  /** Revives the model panels of a reloaded window (activation event onWebviewPanel:modelLens.model). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(MODEL_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state: unknown) => {
        const saved = parseSavedPanelState(state);
        const modelPath = saved && path.resolve(saved.modelPath);
        if (!modelPath || !vscode.workspace.isTrusted || !fs.existsSync(modelPath) || this.panels.has(modelPath)) {
          // Nothing to show (or the model is gone, or already open): close it rather than show an empty panel.
          webviewPanel.dispose();
          return;
        }
        this.output.info(`Restoring the panel of ${modelPath}`);
        this.adopt(modelPath, webviewPanel, { saved: await this.store.load(modelPath), seenRuns: saved.runs });
      },
    });
  }

  get(modelPath: string): ModelPanel | undefined {
    return this.panels.get(modelPath);
  }

  /** The panel that is the active editor, if one is. */
  active(): ModelPanel | undefined {
    return [...this.panels.values()].find((panel) => panel.active);
  }

  paths(): string[] {
    return [...this.panels.keys()];
  }

  /** Reload every open panel, e.g. after the backend changed. */
  reloadAll(): void {
    this.panels.forEach((panel) => void panel.load());
  }

  dispose(): void {
    this.panels.forEach((panel) => panel.dispose());
    this.panels.clear();
  }
}
