/**
 * The test hooks activate() returns: the integration tests drive and inspect the extension through
 * them. They are offered only outside production (extension development and test hosts), or when
 * the test harness sets MODEL_LENS_TEST_API=1: other extensions get nothing in production.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { BackendName } from '../protocol/model';
import type { SaliencyResult } from '../protocol/saliency';
import type { EngineClient } from './engine/engineClient';
import type { AttributionCache } from './explain/attributionCache';
import type { PanelState } from './modelPanel/modelPanel';
import type { ModelPanels } from './modelPanel/modelPanels';
import type { BackendStatusBar } from './engine/statusBar';
import type { IclPanelState } from './icl/iclPanel';
import type { IclFeature } from './icl/register';

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
  /** ICL panels, by spec path: what one shows, a message as if its webview sent it, when it is drawn. */
  icl: {
    openPanels(): string[];
    panelState(specPath: string): IclPanelState | undefined;
    sendFromWebview(specPath: string, message: unknown): boolean;
    whenRendered(specPath: string): Promise<void>;
    /** Treat the workspace as untrusted (false), trusted (true), or as VS Code says (undefined). */
    overrideTrust(trusted: boolean | undefined): void;
  };
  /** The file the "Model Lens" log channel writes (tests check what it holds). */
  logFile(): string;
}

export function offersTestApi(context: vscode.ExtensionContext): boolean {
  return context.extensionMode !== vscode.ExtensionMode.Production || process.env.MODEL_LENS_TEST_API === '1';
}

export function testApi(engine: EngineClient, statusBar: BackendStatusBar, panels: ModelPanels, cache: AttributionCache, icl: IclFeature, logDir: vscode.Uri): ModelLensApi {
  return {
    // VS Code writes an extension's log channel to <its logUri>/<channel name>.log.
    logFile: () => path.join(logDir.fsPath, 'Model Lens.log'),
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
    icl: {
      openPanels: () => icl.panels.paths(),
      panelState: (specPath) => icl.panels.get(specPath)?.describe(),
      sendFromWebview: (specPath, message) => icl.panels.get(specPath)?.receive(message) ?? false,
      whenRendered: async (specPath) => {
        const panel = icl.panels.get(specPath);
        if (!panel) throw new Error(`No ICL panel is open for ${specPath}.`);
        return panel.whenRendered();
      },
      overrideTrust: (trusted) => icl.overrideTrust(trusted),
    },
  };
}
