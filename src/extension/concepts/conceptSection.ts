/**
 * The Concepts section of a model panel, host side: TCAV runs (a class, layers, concepts by name)
 * and linear probes with progress and Cancel, through the panel's SectionController (history,
 * side by side, saved for reloads); the concepts, random sets and labelled data the section runs
 * on (ConceptData: the sidecar's or chosen through dialogs); and the latest scores per layer for
 * hovers (ConceptScores).
 */
import * as vscode from 'vscode';
import type { ConceptSource, ProbeResult, TcavResult } from '../../protocol/concepts';
import type { ModelSummary } from '../../protocol/model';
import { CONCEPTS_METHOD_NAMES, type ConceptsMethod, type ConceptsPanelOptions, type ToWebview } from '../../protocol/webview';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import { runState, SectionController, type RunState, type SavedSection, type SectionTask } from '../panel/sectionController';
import { ConceptData, type ConceptDataKind } from './conceptData';
import type { ConceptScores } from './conceptScores';
import type { LayerIndex } from './layerIndex';

/** What every panel's Concepts section shares: where choices are remembered, the latest scores and the known layers (for hovers). */
export interface ConceptsContext {
  state: vscode.Memento;
  scores: ConceptScores;
  layers: LayerIndex;
}

export type TcavPanelOptions = Extract<ConceptsPanelOptions, { method: 'tcav' }>;
export type ProbePanelOptions = Extract<ConceptsPanelOptions, { method: 'probe' }>;

/** For this run only: random examples other than the section's (a command's argument). */
export interface RunOverrides {
  random?: string;
}

/** What the panel's Concepts section shows, for the API (tests and other extensions). */
export interface ConceptsState extends RunState<ConceptsMethod> {
  /** Kept runs, newest first. */
  history: number[];
  progress?: { done: number; total: number; message?: string };
  /** The shown run's result. */
  tcav?: TcavResult;
  probe?: ProbeResult;
  /** The concepts the section offers, by name. */
  concepts: string[];
}

export class ConceptTester extends Disposable {
  private summary: ModelSummary | undefined;
  private readonly data: ConceptData;
  readonly runs: SectionController<'concepts'>;

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly context: ConceptsContext,
    private readonly post: (message: ToWebview) => void,
  ) {
    super();
    this.data = new ConceptData(modelPath, context.state);
    this.runs = this._register(new SectionController('concepts', post, output));
  }

  setSummary(summary: ModelSummary | undefined): void {
    this.summary = summary;
    if (summary) this.context.layers.putSummary(this.modelPath, summary);
    this.postData();
  }

  /** The model's summary, once loaded. */
  modelSummary(): ModelSummary | undefined {
    return this.summary;
  }

  replay(): void {
    this.postData();
    this.runs.replay();
  }

  /** A reloaded window: the saved results come back, and hovers know their scores again (oldest first, so the newest wins). */
  restore(saved: SavedSection<'concepts'> | undefined, seenRun: number): void {
    this.runs.restore(saved, seenRun);
    for (const kept of [...(saved?.history ?? [])].reverse()) this.remember(kept.message.options.method, kept.message.result, kept.at);
  }

  /** A run from the panel. Errors are shown, not thrown. */
  runFromPanel(options: ConceptsPanelOptions): void {
    this.run(options).catch(() => undefined);
  }

  /** Several runs from the panel, shown side by side. Errors are shown, not thrown. */
  compareFromPanel(variants: ConceptsPanelOptions[]): void {
    void this.runs.runGroup(variants.map((options) => this.task(options, {}))).catch(() => undefined);
  }

  /**
   * Runs TCAV or the probes with progress and Cancel and shows the result in the panel. Rejects
   * with an EngineError (CANCELLED when cancelled or superseded), which the panel already shows.
   */
  run(options: TcavPanelOptions, overrides?: RunOverrides): Promise<TcavResult>;
  run(options: ProbePanelOptions, overrides?: RunOverrides): Promise<ProbeResult>;
  run(options: ConceptsPanelOptions, overrides?: RunOverrides): Promise<TcavResult | ProbeResult>;
  run(options: ConceptsPanelOptions, overrides: RunOverrides = {}): Promise<TcavResult | ProbeResult> {
    return this.runs.run(this.task(options, overrides));
  }

  private task(options: ConceptsPanelOptions, overrides: RunOverrides): SectionTask<'concepts'> {
    const name = CONCEPTS_METHOD_NAMES[options.method];
    const probeData = this.data.probeData(this.summary).path;
    const inputLabel = options.method === 'tcav' ? `class ${this.className(options.class)}` : probeData ? vscode.workspace.asRelativePath(probeData, false) : 'no labelled data';
    return {
      options,
      input: -1,
      inputLabel,
      name,
      title: options.method === 'tcav' ? `Model Lens: testing concepts for ${inputLabel}` : `Model Lens: probing the layers with ${inputLabel}`,
      execute: async (token, onProgress) => {
        const result = options.method === 'tcav' ? await this.tcav(options, overrides, token, onProgress) : await this.probe(options, token, onProgress);
        if (!token.isCancellationRequested) this.remember(options.method, result);
        this.log(name, inputLabel, result);
        return result;
      },
    };
  }

  private tcav({ method: _method, concepts: names, ...options }: TcavPanelOptions, overrides: RunOverrides, token: vscode.CancellationToken, onProgress: (done: number, total: number, message?: string) => void): Promise<TcavResult> {
    const offered = this.data.concepts(this.summary);
    if (!offered.length) {
      throw new EngineError('BAD_REQUEST', "No concepts to test: the sidecar names none (data.concepts) and none was chosen. Add concept folders in the panel's Concepts section (or choose them when the command asks), or name them in the sidecar.");
    }
    const concepts: ConceptSource[] = this.data.resolve(this.summary, names ?? offered.map((c) => c.name));
    const random = overrides.random ?? this.data.random(this.summary).path;
    if (!random) throw new EngineError('BAD_REQUEST', "No random examples to compare the concepts with: name a folder of random sets (or one pool of examples) as data.random in the sidecar, or choose one in the panel's Concepts section.");
    return this.engine.request('tcav', { ...options, modelPath: this.modelPath, concepts, random }, token, onProgress);
  }

  private probe({ method: _method, ...options }: ProbePanelOptions, token: vscode.CancellationToken, onProgress: (done: number, total: number, message?: string) => void): Promise<ProbeResult> {
    const data = this.data.probeData(this.summary).path;
    if (!data) throw new EngineError('BAD_REQUEST', "No labelled data to probe with: the sidecar names no data.test or data.train; choose labelled data (a folder with a sub-folder per label, CSV, JSONL or tensor JSON) in the panel's Concepts section.");
    return this.engine.request('probe', { ...options, modelPath: this.modelPath, data }, token, onProgress);
  }

  private remember(method: ConceptsMethod, result: TcavResult | ProbeResult, at?: number): void {
    if (method === 'tcav') this.context.scores.putTcav(this.modelPath, result as TcavResult, at);
    else this.context.scores.putProbe(this.modelPath, result as ProbeResult, at);
  }

  private log(name: string, what: string, result: TcavResult | ProbeResult): void {
    const size = 'gradientOf' in result ? `${result.tests} concept × layer tests, ${result.randomSets.runs} runs${result.cached ? ' (cached activations)' : ''}` : `${result.layers.length} layers probed`;
    this.output.info(`${name} (${what}): ${size} in ${Math.round(result.ms)} ms`);
    result.warnings.forEach((w) => this.output.warn(`${name} (${what}): ${w}`));
  }

  /** The sidecar's label of a class index (or the name given). */
  private className(cls: number | string): string {
    const label = typeof cls === 'number' ? this.summary?.sidecar.sidecar.labels?.[cls] : undefined;
    return label !== undefined && label !== String(cls) ? `${label} (${cls})` : String(cls);
  }

  /** The concepts the section offers (the sidecar's, then chosen ones). */
  offeredConcepts(): (ConceptSource & { source: 'sidecar' | 'chosen' })[] {
    return this.data.concepts(this.summary);
  }

  /** Offers these folders or files as concepts too (e.g. chosen from the explorer); resolves with their names. */
  async addConcepts(paths: string[]): Promise<string[]> {
    const names = await this.data.addConcepts(this.summary, paths);
    this.postData();
    return names;
  }

  /** The random examples runs use, when there are any. */
  randomPath(): string | undefined {
    return this.data.random(this.summary).path;
  }

  /** A dialog for concepts, random examples or labelled data; resolves with what was added (concept names, or the path). */
  async chooseData(what: ConceptDataKind): Promise<string[] | undefined> {
    const chosen = await this.data.choose(this.summary, what);
    if (chosen) this.postData();
    return chosen;
  }

  async removeConcept(name: string): Promise<void> {
    if (await this.data.removeConcept(name)) this.postData();
  }

  cancel(): void {
    this.runs.cancel();
  }

  describe(): ConceptsState | undefined {
    const shown = this.runs.state();
    if (!shown) return undefined;
    const m = shown.message;
    const state: ConceptsState = { ...runState(shown), history: this.runs.historyRuns(), concepts: this.offeredConcepts().map((c) => c.name) };
    if (shown.progress) state.progress = shown.progress;
    if (m.type === 'sectionResult') {
      if (m.options.method === 'tcav') state.tcav = m.result as TcavResult;
      else state.probe = m.result as ProbeResult;
    }
    return state;
  }

  private postData(): void {
    this.post({ type: 'conceptData', ...this.data.message(this.summary) });
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}
