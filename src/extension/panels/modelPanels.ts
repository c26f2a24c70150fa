/** Keeps one ModelPanel per checkpoint path: opening a model twice reveals its panel. */
import * as vscode from 'vscode';
import type { EngineClient } from '../engineClient';
import { ModelPanel } from './modelPanel';

export class ModelPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ModelPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  open(modelPath: string): ModelPanel {
    const existing = this.panels.get(modelPath);
    if (existing) {
      existing.reveal();
      void existing.load();
      return existing;
    }
    const panel = ModelPanel.create(modelPath, this.extensionUri, this.engine, this.output);
    this.panels.set(modelPath, panel);
    panel.onDidDispose(() => this.panels.delete(modelPath));
    return panel;
  }

  get(modelPath: string): ModelPanel | undefined {
    return this.panels.get(modelPath);
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
