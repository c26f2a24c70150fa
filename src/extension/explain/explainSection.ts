/**
 * The Explain section of a model panel, host side: the inputs it offers (the sidecar's samples,
 * then files the user chose through a dialog), saliency runs with progress and Cancel, the latest
 * result (cached for hovers and re-sent when the webview reloads) and export.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelSummary } from '../../protocol/model';
import { DEFAULT_MEMORY_BUDGET_MB, type SaliencyResult } from '../../protocol/saliency';
import type { ExplainInput, ExplainOptions, ExplainRun, HeatmapView, ToWebview } from '../../protocol/webview';
import { MAX_EXPLAIN_INPUTS } from '../../protocol/webview';
import { METHOD_NAMES } from '../../shared/methods';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import type { AttributionCache } from './attributionCache';
import { checkAgainstModel, inputKindOf, toSaliencyOptions } from './options';
import { DEFAULT_VIEW } from '../../shared/heatmap';
import { renderOverlayPng } from './overlayPng';
import { withEngineProgress } from '../panel/engineProgress';
import { SectionRuns } from '../panel/sectionRuns';

type Input = ExplainInput & { path: string };
type ExplainMessage = Extract<ToWebview, { type: 'explainRunning' | 'explainResult' | 'explainError' }>;

/** What the panel's Explain section shows, for the API (tests and other extensions). */
export interface ExplanationState {
  run: number;
  state: 'running' | 'result' | 'error';
  method: string;
  inputPath: string;
  target?: number;
  code?: string;
  message?: string;
  /** The webview has drawn this run's heatmap. */
  rendered: boolean;
}

export class Explainer extends Disposable {
  private summary: ModelSummary | undefined;
  private inputs: Input[] = [];
  /** Files chosen through the dialog or Explain Input…, kept across reloads of the summary. */
  private readonly chosen: string[] = [];
  private selected = 0;
  private readonly runs: SectionRuns;
  /** The latest result, which the panel keeps showing while a new run computes or after it fails. */
  private lastResult: { message: Extract<ToWebview, { type: 'explainResult' }>; inputPath: string } | undefined;
  /** The latest run's message (running, result or error). */
  private latest: { message: ExplainMessage; inputPath: string } | undefined;

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly cache: AttributionCache,
    private readonly post: (message: ToWebview) => void,
    panelDisposed: vscode.CancellationToken,
  ) {
    super();
    this.runs = new SectionRuns(output);
    this._register(panelDisposed.onCancellationRequested(() => this.cancel()));
  }

  /** The model summary arrived (or was reloaded): the sidecar's samples may have changed. */
  setSummary(summary: ModelSummary | undefined): void {
    const selectedPath = this.inputs[this.selected]?.path;
    this.summary = summary;
    const sidecar = summary?.sidecar;
    const samples = sidecar?.path ? (sidecar.sidecar.data?.samples ?? []) : [];
    const dir = sidecar?.path ? path.dirname(sidecar.path) : '';
    const inputs: Input[] = samples.slice(0, 1000).map((rel) => ({ label: rel, source: 'sample', kind: inputKindOf(rel), path: path.resolve(dir, rel) }));
    for (const file of this.chosen) {
      if (!inputs.some((i) => same(i.path, file))) inputs.push({ label: labelOf(file), source: 'file', kind: inputKindOf(file), path: file });
    }
    this.inputs = inputs.slice(0, MAX_EXPLAIN_INPUTS);
    const keep = selectedPath ? this.inputs.findIndex((i) => same(i.path, selectedPath)) : -1;
    this.selected = keep >= 0 ? keep : Math.max(0, Math.min(this.selected, this.inputs.length - 1));
    this.postInputs();
  }

  /** The webview (re)loaded: send it everything it shows. */
  replay(): void {
    this.postInputs();
    if (this.lastResult) this.post(this.withCurrentIndex(this.lastResult.message, this.lastResult.inputPath));
    if (this.latest && this.latest.message !== this.lastResult?.message) this.post(this.withCurrentIndex(this.latest.message, this.latest.inputPath));
  }

  /** Runs from the panel: inputs[index] with the panel's options. Errors are shown, not thrown. */
  explainIndex(index: number, options: ExplainOptions): void {
    const input = this.inputs[index];
    if (!input) {
      this.output.warn(`Ignored an Explain request for input #${index}: the panel offers ${this.inputs.length}.`);
      return;
    }
    this.selected = index;
    this.explain(input.path, options).catch(() => undefined);
  }

  /**
   * Explains one input file with the engine, under a cancellable progress notification. Resolves
   * with the result; rejects with an EngineError (code CANCELLED when cancelled or superseded).
   */
  async explain(inputPath: string, options: ExplainOptions): Promise<SaliencyResult> {
    inputPath = path.resolve(inputPath);
    const index = this.useInput(inputPath);
    const slot = this.runs.begin();
    const { run, cts } = slot;
    const base: ExplainRun = { run, input: index, inputLabel: this.inputs[index]?.label ?? labelOf(inputPath), options };
    this.show({ type: 'explainRunning', ...base }, inputPath);
    const method = METHOD_NAMES[options.method] ?? options.method;
    try {
      const problem = checkAgainstModel(options, this.summary);
      if (problem) throw new EngineError('BAD_REQUEST', problem);
      const result = await withEngineProgress(`Model Lens: ${method} on ${path.basename(inputPath)}`, cts, (token, onProgress) =>
        this.engine.request('saliency', { modelPath: this.modelPath, inputPath, ...toSaliencyOptions(options), memoryBudgetMB: memoryBudget() }, token, onProgress),
      );
      if (cts.token.isCancellationRequested) throw new EngineError('CANCELLED', 'The explanation was cancelled.');
      await this.cache.put(this.modelPath, inputPath, result);
      const message: ExplainMessage = { type: 'explainResult', ...base, result };
      this.lastResult = { message, inputPath };
      this.show(message, inputPath);
      this.output.info(`${method} on ${inputPath}: ${result.summary} (${Math.round(result.ms)} ms)`);
      return result;
    } catch (err) {
      throw this.runs.failed(slot, err, method, inputPath, (error) => this.show({ type: 'explainError', ...base, code: error.code, message: error.message }, inputPath));
    } finally {
      this.runs.end(slot);
    }
  }

  /** The file behind inputs[index] (the webview names inputs by index only). */
  inputAt(index: number): string | undefined {
    return this.inputs[index]?.path;
  }

  /** The inputs offered, the selected one first, for pickers outside the panel. */
  listInputs(): { label: string; path: string; selected: boolean }[] {
    const list = this.inputs.map((i, k) => ({ label: i.label, path: i.path, selected: k === this.selected }));
    return [...list.filter((i) => i.selected), ...list.filter((i) => !i.selected)];
  }

  /** Adds a file to the inputs (if new), selects it and returns its index. */
  useInput(file: string): number {
    this.selected = this.addInput(path.resolve(file));
    this.postInputs();
    return this.selected;
  }

  /** "Choose file…": the host asks; the webview never names a path. */
  async chooseInput(): Promise<void> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Model Lens: choose an input to explain',
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.dirname(this.modelPath)),
      filters: { 'Inputs (images, CSV rows, tensor JSON)': ['png', 'jpg', 'jpeg', 'csv', 'json'], 'All files': ['*'] },
    });
    const uri = picked?.[0];
    if (!uri) {
      this.postInputs(); // the webview selected "Choose file…": put its selection back
      return;
    }
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Model Lens explains files on disk; ${uri.toString()} is not a local file.`);
      this.postInputs();
      return;
    }
    this.selected = this.addInput(uri.fsPath);
    this.postInputs();
  }

  cancel(): void {
    this.runs.cancel();
  }

  async export(format: 'png' | 'json', view: HeatmapView = DEFAULT_VIEW): Promise<void> {
    const last = this.lastResult;
    if (!last) {
      void vscode.window.showInformationMessage('Model Lens: nothing to save yet; run an explanation first.');
      return;
    }
    const { result } = last.message;
    let bytes: Uint8Array | undefined;
    if (format === 'png') {
      bytes = renderOverlayPng(result, 448, view);
      if (!bytes) {
        void vscode.window.showInformationMessage('Model Lens: this attribution is not an image; save it as JSON instead.');
        return;
      }
    } else {
      bytes = Buffer.from(JSON.stringify({ modelPath: this.modelPath, inputPath: last.inputPath, ...result }, null, 2) + '\n');
    }
    const name = `${path.basename(last.inputPath, path.extname(last.inputPath))}-${result.method}.${format}`;
    const target = await vscode.window.showSaveDialog({
      title: `Model Lens: save the ${format === 'png' ? 'heatmap' : 'result'}`,
      defaultUri: vscode.Uri.file(path.join(path.dirname(last.inputPath), name)),
      filters: format === 'png' ? { 'PNG image': ['png'] } : { JSON: ['json'] },
    });
    if (!target) return;
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      void vscode.window.showInformationMessage(`Model Lens: saved ${vscode.workspace.asRelativePath(target)}.`);
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: could not save ${target.fsPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  markRendered(run: number): void {
    this.runs.markRendered(run);
  }

  describe(): ExplanationState | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    const m = latest.message;
    const state: ExplanationState = {
      run: m.run,
      state: m.type === 'explainRunning' ? 'running' : m.type === 'explainResult' ? 'result' : 'error',
      method: m.options.method,
      inputPath: latest.inputPath,
      rendered: this.runs.isRendered(m.run) && m.type === 'explainResult',
    };
    if (m.type === 'explainResult') state.target = m.result.target;
    if (m.type === 'explainError') Object.assign(state, { code: m.code, message: m.message });
    return state;
  }

  private addInput(file: string): number {
    const found = this.inputs.findIndex((i) => same(i.path, file));
    if (found >= 0) return found;
    if (!this.chosen.some((c) => same(c, file))) this.chosen.push(file);
    const oldest = this.inputs.findIndex((i) => i.source === 'file');
    if (this.inputs.length >= MAX_EXPLAIN_INPUTS && oldest >= 0) this.inputs.splice(oldest, 1);
    this.inputs.push({ label: labelOf(file), source: 'file', kind: inputKindOf(file), path: file });
    return this.inputs.length - 1;
  }

  private postInputs(): void {
    this.post({ type: 'explainInputs', inputs: this.inputs.map(({ label, source, kind }) => ({ label, source, kind })), selected: this.selected });
  }

  private show(message: ExplainMessage, inputPath: string): void {
    this.latest = { message, inputPath };
    this.post(message);
  }

  /** Inputs may have moved in the list since the run (summary reloaded): point at the current index. */
  private withCurrentIndex<T extends ExplainMessage>(message: T, inputPath: string): T {
    const input = this.inputs.findIndex((i) => same(i.path, inputPath));
    return Object.assign({}, message, { input });
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}

function same(a: string, b: string): boolean {
  return process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function labelOf(file: string): string {
  return vscode.workspace.asRelativePath(file, false);
}

/** The modelLens.memoryBudgetMB setting, which sizes the engine's internal batches. */
function memoryBudget(): number {
  return vscode.workspace.getConfiguration('modelLens').get<number>('memoryBudgetMB', DEFAULT_MEMORY_BUDGET_MB);
}
