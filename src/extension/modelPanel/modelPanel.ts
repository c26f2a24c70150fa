/**
 * One webview panel per checkpoint, beside the editor. It asks the engine for the model summary
 * and relays it to the webview; everything the webview sends is validated first.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { FromWebview, SectionId, ToWebview } from '../../protocol/webview';
import type { ModelSummary } from '../../protocol/model';
import type { SaliencyResult } from '../../protocol/saliency';
import type { ExplainOptions } from '../../protocol/webview';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import type { AttributionCache } from '../explain/attributionCache';
import { Explainer, type ExplanationState } from '../explain/explainSection';
import { InfluenceFinder, type InfluenceRequest, type InfluenceState, type InfluenceStorage } from '../influence/influenceSection';
import { ConceptTester, type ConceptsContext, type ConceptsState } from '../concepts/conceptSection';
import type { InfluenceResult } from '../../protocol/influence';
import type { CounterfactualResult } from '../../protocol/counterfactual';
import { CounterfactualFinder, type CounterfactualRequest, type CounterfactualState } from '../counterfactuals/counterfactualSection';
import { fromWebview, renderShell, webviewOptions, workspaceFoldersMessage } from '../panel/webviewHtml';
import { besidePanel, newPanelColumn } from '../panel/placement';
import { openSidecar } from './openSidecar';
import { inputKindOf } from '../workspace/inputKinds';
import type { SectionController } from '../panel/sectionController';
import type { PanelStore, SavedPanel } from './panelStore';

export const MODEL_PANEL_VIEW_TYPE = 'modelLens.model';

export type PanelState = ({ state: 'loading' | 'summary' } | { state: 'error'; code: string; message: string }) & {
  /** The Explain section's latest run, when there is one. */
  explanation?: ExplanationState;
  /** The Influence section's latest query, when there is one. */
  influence?: InfluenceState;
  /** The Counterfactuals section's latest run, when there is one. */
  counterfactual?: CounterfactualState;
  /** The Concepts section's latest run, when there is one. */
  concepts?: ConceptsState;
};

export class ModelPanel extends Disposable {
  /** What the panel shows: loading, the summary, or the error. Re-sent when the webview reloads. */
  private state: Extract<ToWebview, { type: 'loading' | 'summary' | 'error' }>;
  private readonly rendered: Promise<void>;
  private markRendered!: () => void;
  private readonly cancel = this._register(new vscode.CancellationTokenSource());
  private readonly explainer: Explainer;
  private readonly influence: InfluenceFinder;
  private readonly counterfactuals: CounterfactualFinder;
  private readonly concepts: ConceptTester;

  constructor(
    readonly modelPath: string,
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    cache: AttributionCache,
    influenceStorage: InfluenceStorage,
    concepts: ConceptsContext,
    private readonly store: PanelStore,
    /** A panel revived after a window reload: what it showed (the serializer's). */
    revived?: { saved: SavedPanel; seenRuns: Partial<Record<SectionId, number>> },
  ) {
    super();
    this.state = { type: 'loading', modelPath };
    const post = (m: ToWebview) => this.post(m);
    this.explainer = this._register(new Explainer(modelPath, engine, output, cache, post));
    // Examples open in the editor group beside the panel, never over it.
    this.influence = this._register(new InfluenceFinder(modelPath, engine, output, influenceStorage, this.explainer, post, () => besidePanel(panel.viewColumn)));
    this.concepts = this._register(new ConceptTester(modelPath, engine, output, concepts, post));
    this.counterfactuals = this._register(new CounterfactualFinder(modelPath, engine, output, this.explainer, post));
    if (revived) {
      this.explainer.restore(revived.saved.explain, revived.seenRuns.explain ?? 0);
      this.influence.restore(revived.saved.influence, revived.seenRuns.influence ?? 0);
      this.concepts.restore(revived.saved.concepts, revived.seenRuns.concepts ?? 0);
      this.counterfactuals.restore(revived.saved.counterfactual, revived.seenRuns.counterfactual ?? 0);
    }
    // Every new result is saved, so a reloaded window shows it again.
    for (const section of Object.values(this.sections())) this._register(section.onDidChangeResult(() => this.save()));
    this.rendered = new Promise((resolve) => (this.markRendered = resolve));
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = renderShell(panel.webview, extensionUri, panel.title);
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
    this._register(panel.onDidDispose(() => this.dispose()));
    void this.load();
  }

  /** A new webview panel for modelPath: in the group that holds model panels, else another existing group, else beside the editor. */
  static createWebviewPanel(modelPath: string, extensionUri: vscode.Uri): vscode.WebviewPanel {
    const column = newPanelColumn((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes(MODEL_PANEL_VIEW_TYPE));
    const panel = vscode.window.createWebviewPanel(MODEL_PANEL_VIEW_TYPE, titleOf(modelPath), { viewColumn: column, preserveFocus: false }, webviewOptions(extensionUri));
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.svg');
    return panel;
  }

  /** The sections' run controllers, by section (a model panel has no ICL section: ICL panels are per spec). */
  private sections(): { [S in Exclude<SectionId, 'icl'>]: SectionController<S> } {
    return { explain: this.explainer.runs, influence: this.influence.runs, concepts: this.concepts.runs, counterfactual: this.counterfactuals.runs };
  }

  private section(id: SectionId): SectionController<SectionId> | undefined {
    return id === 'icl' ? undefined : (this.sections()[id] as SectionController<SectionId>);
  }

  private save(): void {
    void this.store.save(this.modelPath, {
      explain: this.explainer.runs.saved(),
      influence: this.influence.runs.saved(),
      concepts: this.concepts.runs.saved(),
      counterfactual: this.counterfactuals.runs.saved(),
    });
  }

  /** Shows the panel where it is (never moving it to another group). */
  reveal(): void {
    this.panel.reveal(this.panel.viewColumn);
  }

  /** What the panel shows now, for the API (tests and other extensions). */
  describe(): PanelState {
    const state = this.state;
    const described: PanelState = state.type === 'error' ? { state: 'error', code: state.code, message: state.message } : { state: state.type };
    const explanation = this.explainer.describe();
    if (explanation) described.explanation = explanation;
    const influence = this.influence.describe();
    if (influence) described.influence = influence;
    const concepts = this.concepts.describe();
    if (concepts) described.concepts = concepts;
    const counterfactual = this.counterfactuals.describe();
    if (counterfactual) described.counterfactual = counterfactual;
    return described;
  }

  /** Whether this panel is the active editor. */
  get active(): boolean {
    return this.panel.active;
  }

  /** The panel's inputs (the Explain section's list), the selected one first. */
  inputs(): { label: string; path: string; selected: boolean }[] {
    return this.explainer.listInputs();
  }

  /** The kind of input the model takes (from its summary), when known. */
  inputKind(): ReturnType<Explainer['inputKind']> {
    return this.explainer.inputKind();
  }

  /**
   * Ranks the training set for an input (or by self-influence) and shows the result in the panel.
   * Waits for the model summary first (it names the training set); rejects when the model does not load.
   */
  async findInfluence(request: InfluenceRequest): Promise<InfluenceResult> {
    await this.rendered;
    if (this.state.type === 'error') throw new EngineError(this.state.code, this.state.message);
    return this.influence.find(request);
  }

  /** The Concepts section, once the model has loaded (undefined when it failed to: the panel says why). */
  async conceptTester(): Promise<ConceptTester | undefined> {
    await this.rendered;
    return this.state.type === 'summary' ? this.concepts : undefined;
  }

  /** Finds counterfactuals for an input and shows them in the panel, once the model has loaded (rejects when it does not). */
  async findCounterfactual(request: CounterfactualRequest): Promise<CounterfactualResult> {
    await this.rendered;
    if (this.state.type === 'error') throw new EngineError(this.state.code, this.state.message);
    return this.counterfactuals.find(request);
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
      this.influence.setSummary(summary);
      this.concepts.setSummary(summary);
      this.counterfactuals.setSummary(summary);
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
      // A text sample's card shows its sentence (the engine reports ids, not the text).
      const text = inputKindOf(inputPath) === 'text' ? await readText(inputPath) : undefined;
      this.post({ type: 'prediction', sample, prediction, ...(text !== undefined ? { text } : {}) });
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

  /** Handles a message from the webview (or, through the API, one a test sends as if it were the webview). */
  receive(raw: unknown): boolean {
    const message = fromWebview(raw, this.output, 'model panel');
    if (message) this.handle(message);
    return !!message;
  }

  private handle(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.post(workspaceFoldersMessage());
        this.post(this.state);
        this.explainer.replay();
        this.influence.replay((inputPath) => this.explainer.indexOf(inputPath));
        this.concepts.replay();
        this.counterfactuals.replay((inputPath) => this.explainer.indexOf(inputPath));
        return;
      case 'rendered':
        if (message.modelPath === this.modelPath && this.state.type !== 'loading') this.markRendered();
        return;
      case 'reload':
        void this.load();
        return;
      case 'openSidecar':
        void openSidecar(vscode.Uri.file(this.modelPath), besidePanel(this.panel.viewColumn));
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
      case 'sectionRun':
        if (message.section === 'explain') this.explainer.explainIndex(message.input ?? -1, message.options);
        else if (message.section === 'influence') this.influence.findFromPanel(message.input, message.options);
        else if (message.section === 'concepts') this.concepts.runFromPanel(message.options);
        else if (message.section === 'counterfactual') this.counterfactuals.findFromPanel(message.input ?? -1, message.options);
        return;
      case 'sectionCompare':
        if (message.section === 'explain') this.explainer.compareFromPanel(message.input ?? -1, message.variants);
        else if (message.section === 'influence') this.influence.compareFromPanel(message.input, message.variants);
        else if (message.section === 'concepts') this.concepts.compareFromPanel(message.variants);
        else if (message.section === 'counterfactual') this.counterfactuals.compareFromPanel(message.input ?? -1, message.variants);
        return;
      case 'sectionRecall':
        this.section(message.section)?.recall(message.runs);
        return;
      case 'sectionCancel':
        this.section(message.section)?.cancel();
        return;
      case 'sectionRendered':
        this.section(message.section)?.markRendered(message.run);
        return;
      case 'exportExplanation':
        void this.explainer.export(message.format, message.view, message.run, message.png);
        return;
      case 'chooseTrain':
        void this.influence.chooseTrain();
        return;
      case 'openInfluenceExample':
        void this.influence.openExample(message.run, message.index);
        return;
      case 'chooseConceptData':
        void this.concepts.chooseData(message.what);
        return;
      case 'removeConcept':
        void this.concepts.removeConcept(message.name);
        return;
      case 'copyCounterfactual':
        void this.counterfactuals.copy(message.run, message.index, message.format);
        return;
      case 'iclAction':
        return; // an ICL panel's
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

/** The first few thousand characters of a text file ('' when it cannot be read). */
async function readText(file: string): Promise<string> {
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file))).toString('utf8').slice(0, 2000);
  } catch {
    return '';
  }
}

function titleOf(modelPath: string): string {
  return `Model Lens: ${path.basename(path.dirname(modelPath))}`;
}
