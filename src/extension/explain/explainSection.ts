/**
 * The Explain section of a model panel, host side: the inputs it offers (the sidecar's samples,
 * then files the user chose through a dialog), saliency runs with progress and Cancel, the latest
 * result (cached for hovers and re-sent when the webview reloads) and export.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelSummary } from '../../protocol/model';
import { DEFAULT_MEMORY_BUDGET_MB, type SaliencyResult } from '../../protocol/saliency';
import type { ExplainInput, ExplainOptions, HeatmapView, ToWebview } from '../../protocol/webview';
import { MAX_EXPLAIN_INPUTS } from '../../protocol/webview';
import { METHOD_NAMES } from '../../shared/methods';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import type { AttributionCache } from './attributionCache';
import { checkAgainstModel, inputKindOf } from './options';
import { DEFAULT_VIEW } from '../../shared/heatmap';
import { renderOverlayPng } from './overlayPng';
import { runState, SectionController, type RunState, type SavedSection } from '../panel/sectionController';

type Input = ExplainInput & { path: string };

/** What the panel's Explain section shows, for the API (tests and other extensions). */
export interface ExplanationState extends RunState {
  inputPath: string;
  target?: number;
}

export class Explainer extends Disposable {
  private summary: ModelSummary | undefined;
  private inputs: Input[] = [];
  /** Files chosen through the dialog or Explain Input…, kept across reloads of the summary. */
  private readonly chosen: string[] = [];
  private selected = 0;
  readonly runs: SectionController<'explain'>;

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly cache: AttributionCache,
    private readonly post: (message: ToWebview) => void,
  ) {
    super();
    this.runs = this._register(new SectionController('explain', post, output));
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
    this.runs.replay((inputPath) => this.indexOf(inputPath));
  }

  /** A reloaded window: the saved result comes back (its input is offered again). */
  restore(saved: SavedSection<'explain'> | undefined, seenRun: number): void {
    if (saved?.inputPath) this.addInput(saved.inputPath);
    this.runs.restore(saved, seenRun);
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
    const name = METHOD_NAMES[options.method] ?? options.method;
    const result = await this.runs.run({
      options,
      inputPath,
      input: index,
      inputLabel: this.inputs[index]?.label ?? labelOf(inputPath),
      name,
      title: `Model Lens: ${name} on ${path.basename(inputPath)}`,
      execute: async (token, onProgress) => {
        const problem = checkAgainstModel(options, this.summary);
        if (problem) throw new EngineError('BAD_REQUEST', problem);
        const r = await this.engine.request('saliency', { ...options, modelPath: this.modelPath, inputPath, memoryBudgetMB: memoryBudget() }, token, onProgress);
        if (!token.isCancellationRequested) await this.cache.put(this.modelPath, inputPath, r);
        return r;
      },
    });
    this.output.info(`${name} on ${inputPath}: ${result.summary} (${Math.round(result.ms)} ms)`);
    return result;
  }

  /** The index of a file in the inputs, or -1. */
  indexOf(file: string): number {
    return this.inputs.findIndex((i) => same(i.path, file));
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
    const saved = this.runs.result();
    const last = saved?.inputPath ? { message: saved.message, inputPath: saved.inputPath } : undefined;
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

  describe(): ExplanationState | undefined {
    const shown = this.runs.state();
    if (!shown) return undefined;
    const m = shown.message;
    const state: ExplanationState = { ...runState(shown), inputPath: shown.inputPath ?? '' };
    if (m.type === 'sectionResult') state.target = m.result.target;
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
