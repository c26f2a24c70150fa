/**
 * One webview panel per checkpoint, beside the editor. It asks the engine for the model summary
 * and relays it to the webview; everything the webview sends is validated first.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { parseFromWebview, type FromWebview, type ToWebview } from '../../protocol/webview';
import type { ModelSummary } from '../../protocol/model';
import type { SaliencyResult } from '../../protocol/saliency';
import type { ExplainOptions } from '../../protocol/webview';
import { EngineError, type EngineClient } from '../engineClient';
import { Disposable } from '../dispose';
import type { AttributionCache } from '../explain/attributionCache';
import { Explainer, type ExplanationState } from './explainer';
import { renderShell, webviewOptions } from './webviewHtml';

export const MODEL_PANEL_VIEW_TYPE = 'modelLens.model';

export type PanelState = ({ state: 'loading' | 'summary' } | { state: 'error'; code: string; message: string }) & {
  /** The Explain section's latest run, when there is one. */
  explanation?: ExplanationState;
};

export class ModelPanel extends Disposable {
  /** What the panel shows: loading, the summary, or the error. Re-sent when the webview reloads. */
  private state: Extract<ToWebview, { type: 'loading' | 'summary' | 'error' }>;
  private readonly rendered: Promise<void>;
  private markRendered!: () => void;
  private readonly cancel = this._register(new vscode.CancellationTokenSource());
  private readonly explainer: Explainer;

  constructor(
    readonly modelPath: string,
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    cache: AttributionCache,
  ) {
    super();
    this.state = { type: 'loading', modelPath };
    this.explainer = this._register(new Explainer(modelPath, engine, output, cache, (m) => this.post(m), this.cancel.token));
    this.rendered = new Promise((resolve) => (this.markRendered = resolve));
    panel.webview.html = renderShell(panel.webview, extensionUri, panel.title);
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel.onDidDispose(() => this.dispose()));
    void this.load();
  }

  static create(modelPath: string, extensionUri: vscode.Uri, engine: EngineClient, output: vscode.LogOutputChannel, cache: AttributionCache): ModelPanel {
    const title = `Model Lens: ${path.basename(path.dirname(modelPath))}`;
    const panel = vscode.window.createWebviewPanel(MODEL_PANEL_VIEW_TYPE, title, vscode.ViewColumn.Beside, webviewOptions(extensionUri));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    return new ModelPanel(modelPath, panel, extensionUri, engine, output, cache);
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside);
  }

  /** What the panel shows now, for the API (tests and other extensions). */
  describe(): PanelState {
    const state = this.state;
    const described: PanelState = state.type === 'error' ? { state: 'error', code: state.code, message: state.message } : { state: state.type };
    const explanation = this.explainer.describe();
    if (explanation) described.explanation = explanation;
    return described;
  }

  /** Explains an input file with this panel's model and shows the result in the panel. */
  explain(inputPath: string, options: ExplainOptions): Promise<SaliencyResult> {
    return this.explainer.explain(inputPath, options);
  }

  /** Resolves once the webview has drawn the summary or the error. */
  whenRendered(): Promise<void> {
    return this.rendered;
  }

  async load(): Promise<void> {
    this.show({ type: 'loading', modelPath: this.modelPath });
    try {
      const summary: ModelSummary = await this.engine.request('info', { modelPath: this.modelPath }, this.cancel.token);
      summary.warnings.forEach((w) => this.output.warn(`${this.modelPath}: ${w}`));
      this.show({ type: 'summary', summary });
      this.explainer.setSummary(summary);
    } catch (err) {
      const { code, message } = err instanceof EngineError ? err : new EngineError('INTERNAL', String(err));
      if (code === 'CANCELLED') return;
      this.output.error(`${this.modelPath}: ${message}`);
      this.show({ type: 'error', modelPath: this.modelPath, code, message });
      void vscode.window.showErrorMessage(`Model Lens: ${message}`, 'Show Log').then((choice) => choice && this.output.show());
    }
  }

  /** Predicts one of the sidecar's samples; the index is checked against the summary the host holds. */
  private async predictSample(sample: number): Promise<void> {
    if (this.state.type !== 'summary') return;
    const { sidecar } = this.state.summary;
    const rel = sidecar.sidecar.data?.samples?.[sample];
    if (!sidecar.path || rel === undefined) return;
    const inputPath = path.resolve(path.dirname(sidecar.path), rel);
    try {
      const prediction = await this.engine.request('predict', { modelPath: this.modelPath, inputPath, top: 3 }, this.cancel.token);
      this.post({ type: 'prediction', sample, prediction });
    } catch (err) {
      this.post({ type: 'predictionError', sample, message: err instanceof Error ? err.message : String(err) });
    }
  }

  private post(message: ToWebview): void {
    if (!this.isDisposed) void this.panel.webview.postMessage(message);
  }

  private show(state: ModelPanel['state']): void {
    this.state = state;
    this.post(state);
  }

  private receive(raw: unknown): void {
    const message: FromWebview | null = parseFromWebview(raw);
    if (!message) {
      this.output.warn('Ignored an invalid message from the model panel.');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.post(this.state);
        this.explainer.replay();
        return;
      case 'rendered':
        if (message.modelPath === this.modelPath && this.state.type !== 'loading') this.markRendered();
        return;
      case 'reload':
        void this.load();
        return;
      case 'openSidecar':
        void vscode.commands.executeCommand('modelLens.openSidecar', vscode.Uri.file(this.modelPath));
        return;
      case 'showLog':
        this.output.show();
        return;
      case 'predict':
        void this.predictSample(message.sample);
        return;
      case 'chooseInput':
        void this.explainer.chooseInput();
        return;
      case 'explain':
        this.explainer.explainIndex(message.input, message.options);
        return;
      case 'cancelExplain':
        this.explainer.cancel();
        return;
      case 'exportExplanation':
        void this.explainer.export(message.format, message.view);
        return;
      case 'explainRendered':
        this.explainer.markRendered(message.run);
        return;
      default: {
        const unexpected: never = message;
        this.output.warn(`Ignored an unknown panel message: ${JSON.stringify(unexpected)}`);
      }
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.cancel.cancel();
    super.dispose();
    this.panel.dispose();
  }
}
