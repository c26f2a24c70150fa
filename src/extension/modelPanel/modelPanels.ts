/** Keeps one ModelPanel per checkpoint path: opening a model twice reveals its panel. */
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/engineClient';
import type { AttributionCache } from '../explain/attributionCache';
import type { InfluenceStorage } from '../influence/influenceSection';
import { ModelPanel } from './modelPanel';

export class ModelPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly cache: AttributionCache,
    private readonly influenceStorage: InfluenceStorage,
  ) {}

  /** Opens (or reveals) the panel of a checkpoint; `reload: false` keeps an open panel's summary as it is. */
  open(modelPath: string, { reload = true }: { reload?: boolean } = {}): ModelPanel {
    const existing = this.panels.get(modelPath);
    if (existing) {
      existing.reveal();
      if (reload) void existing.load();
      return existing;
    }
    const panel = ModelPanel.create(modelPath, this.extensionUri, this.engine, this.output, this.cache, this.influenceStorage);
    this.panels.set(modelPath, panel);
    panel.onDidDispose(() => this.panels.delete(modelPath));
    return panel;
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
