/**
 * Keeps one IclPanel per spec file: comparing a spec again reveals its panel. The serializer
 * revives the ICL panels of a reloaded window with their history (the webview's state names the
 * spec, the extension's storage holds the results).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { parseSavedIclPanelState } from '../../protocol/webview';
import { ICL_PANEL_VIEW_TYPE, IclPanel, type IclEnvironment } from './iclPanel';

export class IclPanels implements vscode.Disposable {
  private readonly panels = new Map<string, IclPanel>();

  constructor(readonly env: IclEnvironment) {}

  /** Opens (or reveals, reading its spec again) the panel of a spec; `title`: how the tab names it (default its file name). */
  open(specPath: string, title = path.basename(specPath)): IclPanel {
    const key = path.resolve(specPath);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      void existing.refresh();
      return existing;
    }
    return this.adopt(key, IclPanel.createWebviewPanel(key, title, this.env.extensionUri));
  }

  private adopt(specPath: string, webviewPanel: vscode.WebviewPanel, revived?: ConstructorParameters<typeof IclPanel>[3]): IclPanel {
    const panel = new IclPanel(specPath, webviewPanel, this.env, revived);
    this.panels.set(specPath, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(specPath) === panel) this.panels.delete(specPath);
    });
    return panel;
  }

  /** Revives the ICL panels of a reloaded window (activation event onWebviewPanel:modelLens.icl). */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(ICL_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state: unknown) => {
        const saved = parseSavedIclPanelState(state);
        const specPath = saved && path.resolve(saved.specPath);
        if (!specPath || !fs.existsSync(specPath) || this.panels.has(specPath)) {
          webviewPanel.dispose();
          return;
        }
        this.env.output.info(`Restoring the ICL panel of ${specPath}`);
        const kept = await this.env.store.load(specPath);
        this.adopt(specPath, webviewPanel, { saved: kept.icl, seenRun: saved.run ?? 0 });
      },
    });
  }

  get(specPath: string): IclPanel | undefined {
    return this.panels.get(path.resolve(specPath));
  }

  paths(): string[] {
    return [...this.panels.keys()];
  }

  /** The settings or the workspace's trust changed: every panel lists its providers again. */
  refreshProviders(): void {
    this.panels.forEach((panel) => void panel.refreshProviders());
  }

  dispose(): void {
    this.panels.forEach((panel) => panel.dispose());
    this.panels.clear();
  }
}
