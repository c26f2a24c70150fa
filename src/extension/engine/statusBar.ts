/** Status-bar item naming the engine's active backend; clicking it offers to switch. */
import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';

export class BackendStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelLens.backend', vscode.StatusBarAlignment.Right, 100);
  private readonly subscription: vscode.Disposable;

  constructor(engine: EngineClient) {
    this.item.name = 'Model Lens Backend';
    this.item.command = 'modelLens.selectBackend';
    this.show('$(loading~spin) Model Lens', 'Model Lens: starting the engine…');
    this.subscription = engine.onDidChangeBackend((backend) => {
      if (backend instanceof Error) this.show('$(error) Model Lens', `Model Lens engine stopped: ${backend.message}`);
      else this.show(`$(telescope) ${backend}`, `Model Lens computes on the ${backend} backend. Click to switch.`);
    });
  }

  get text(): string {
    return this.item.text;
  }

  private show(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
