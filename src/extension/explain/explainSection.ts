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
import { checkAgainstModel } from './options';
import { DEFAULT_VIEW } from '../../shared/heatmap';
import { decodePngUri, renderOverlayPng } from './overlayPng';
import { runState, SectionController, type RunState, type SavedSection, type SectionTask } from '../panel/sectionController';
import { inputKindOf, modelInputKind } from '../workspace/inputKinds';
import { chooseInputFile } from '../workspace/pickInput';
import { saveToOutputFolder } from '../workspace/outputFolder';

type Input = ExplainInput & { path: string };

/** What the panel's Explain section shows, for the API (tests and other extensions). */
export interface ExplanationState extends RunState {
  inputPath: string;
  /** Kept runs, newest first. */
  history: number[];
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
   * Explains one input file with the engine, with progress (a cancellable notification for long
   * runs). Resolves with the result; rejects with an EngineError (code CANCELLED when cancelled or
   * superseded).
   */
  async explain(inputPath: string, options: ExplainOptions): Promise<SaliencyResult> {
    const task = this.task(inputPath, options);
    const result = await this.runs.run(task);
    this.log(task, result);
    return result;
  }

  /** Compare methods from the panel: one run per variant on inputs[index], shown side by side. Errors are shown, not thrown. */
  compareFromPanel(index: number, variants: ExplainOptions[]): void {
    const input = this.inputs[index];
    if (!input) {
      this.output.warn(`Ignored a comparison on input #${index}: the panel offers ${this.inputs.length}.`);
      return;
    }
    this.selected = index;
    void this.compare(input.path, variants).catch(() => undefined);
  }

  /** Runs every variant on one input, as a group the panel shows side by side; resolves with each result or error. */
  async compare(inputPath: string, variants: ExplainOptions[]): Promise<(SaliencyResult | EngineError)[]> {
    const tasks = variants.map((options) => this.task(inputPath, options));
    const results = await this.runs.runGroup(tasks);
    results.forEach((r, i) => r instanceof EngineError || this.log(tasks[i], r));
    return results;
  }

  /** One saliency run of `options` on a file (which becomes the selected input). */
  private task(file: string, options: ExplainOptions): SectionTask<'explain'> & { inputPath: string } {
    const inputPath = path.resolve(file);
    const index = this.useInput(inputPath);
    const name = METHOD_NAMES[options.method] ?? options.method;
    return {
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
    };
  }

  private log(task: { name: string; inputPath: string }, result: SaliencyResult): void {
    this.output.info(`${task.name} on ${task.inputPath}: ${result.summary} (${Math.round(result.ms)} ms)`);
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

  /** "Choose file…": the host asks (offering the files the model takes); the webview never names a path. */
  async chooseInput(): Promise<void> {
    const file = await chooseInputFile('Model Lens: choose an input', modelInputKind(this.summary), path.dirname(this.modelPath));
    // Cancelled: the webview selected "Choose file…", so its selection is put back either way.
    if (file) this.selected = this.addInput(file);
    this.postInputs();
  }

  /** The kind of input the model takes, when known. */
  inputKind(): ReturnType<typeof modelInputKind> {
    return modelInputKind(this.summary);
  }

  cancel(): void {
    this.runs.cancel();
  }

  /**
   * Saves an explanation (`run`: a kept one, default the latest) as JSON or PNG: the panel's own
   * picture when it sent one (heatmap and colour bar), else the overlay drawn here with `view`.
   */
  async export(format: 'png' | 'json', view: HeatmapView = DEFAULT_VIEW, run?: number, png?: string): Promise<void> {
    const kept = run === undefined ? this.runs.result() : this.runs.kept(run);
    if (!kept?.inputPath) {
      void vscode.window.showInformationMessage(run === undefined ? 'Model Lens: nothing to save yet; run an explanation first.' : `Model Lens: run ${run} is no longer kept.`);
      return;
    }
    const inputPath = kept.inputPath;
    const { result } = kept.message;
    let bytes: Uint8Array | undefined;
    if (format === 'png') {
      bytes = png ? decodePngUri(png) : renderOverlayPng(result, 448, view);
      if (!bytes) {
        void vscode.window.showInformationMessage(png ? 'Model Lens: the panel sent a picture that is not a PNG.' : 'Model Lens: this attribution is not an image; save it as JSON instead.');
        return;
      }
    } else {
      bytes = Buffer.from(JSON.stringify({ modelPath: this.modelPath, inputPath, ...result }, null, 2) + '\n');
    }
    const name = `${path.basename(inputPath, path.extname(inputPath))}-${result.method}.${format}`;
    await saveToOutputFolder(name, bytes, { title: `Model Lens: save the ${format === 'png' ? 'heatmap' : 'result'}`, filters: format === 'png' ? { 'PNG image': ['png'] } : { JSON: ['json'] } });
  }

  describe(): ExplanationState | undefined {
    const shown = this.runs.state();
    if (!shown) return undefined;
    const m = shown.message;
    const state: ExplanationState = { ...runState(shown), inputPath: shown.inputPath ?? '', history: this.runs.historyRuns() };
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
