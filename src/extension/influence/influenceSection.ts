/**
 * The Influence section of a model panel, host side: which training set queries use, influence
 * runs with progress and Cancel (the engine caches training gradients under `cacheDir`, so the
 * second query on a model is fast), the latest result (re-sent when the webview reloads), and
 * opening a ranked example: the webview names it by its index in the result, the host looks up
 * where the engine said it lives.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExampleLocation, InfluenceMethod, InfluenceResult } from '../../protocol/influence';
import type { ModelSummary } from '../../protocol/model';
import { INFLUENCE_METHOD_NAMES, type InfluencePanelOptions, type ToWebview } from '../../protocol/webview';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import { isInTrainingSet, openExample } from './openExample';
import { TrainingDataChoice } from './trainingData';
import { runState, SectionController, type RunState, type SavedSection, type SectionTask } from '../panel/sectionController';

/** Where influence queries keep their gradient cache and remember chosen training sets. */
export interface InfluenceStorage {
  cacheDir: string;
  state: vscode.Memento;
}

/** The panel's input list, shared with the Explain section. */
export interface InputList {
  inputAt(index: number): string | undefined;
  useInput(file: string): number;
}

export interface InfluenceRequest extends Partial<InfluencePanelOptions> {
  method: InfluenceMethod;
  /** Required unless method is 'self'. */
  inputPath?: string;
  /** A training set for this query only; default: the chosen one, else the sidecar's. */
  train?: string;
}

/** What the panel's Influence section shows, for the API (tests and other extensions). */
export interface InfluenceState extends RunState<InfluenceMethod> {
  /** Kept runs, newest first. */
  history: number[];
  inputPath?: string;
  /** The engine's latest progress report of this run (e.g. how many training examples are done). */
  progress?: { done: number; total: number; message?: string };
  /** result: the scores in the order the panel got them, whether cached gradients were used, the training-set size, the parameter scope. */
  scores?: number[];
  paramScope?: InfluenceResult['paramScope'];
  cached?: boolean;
  trainSize?: number;
  /** The training example opened last from the panel. */
  opened?: ExampleLocation;
}

export class InfluenceFinder extends Disposable {
  private summary: ModelSummary | undefined;
  private readonly training: TrainingDataChoice;
  readonly runs: SectionController<'influence'>;
  private opened: ExampleLocation | undefined;

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly storage: InfluenceStorage,
    private readonly inputs: InputList,
    private readonly post: (message: ToWebview) => void,
    private readonly exampleColumn: () => vscode.ViewColumn,
  ) {
    super();
    this.training = new TrainingDataChoice(modelPath, storage.state);
    this.runs = this._register(new SectionController('influence', post, output));
  }

  setSummary(summary: ModelSummary | undefined): void {
    this.summary = summary;
    this.postTrain();
  }

  replay(indexOf: (inputPath: string) => number): void {
    this.postTrain();
    this.runs.replay(indexOf);
  }

  restore(saved: SavedSection<'influence'> | undefined, seenRun: number): void {
    this.runs.restore(saved, seenRun);
  }

  /** A query from the panel: inputs are named by index. Errors are shown, not thrown. */
  findFromPanel(input: number | undefined, options: InfluencePanelOptions): void {
    const inputPath = this.panelInput(input, options.method);
    if (inputPath !== null) this.find({ ...options, inputPath }).catch(() => undefined);
  }

  /** Several queries on one input from the panel (influence functions beside TracIn), shown side by side. */
  compareFromPanel(input: number | undefined, variants: InfluencePanelOptions[]): void {
    const inputPath = this.panelInput(input, variants[0].method);
    if (inputPath === null) return;
    void (async () => {
      const train = await this.trainingOverride();
      const tasks = variants.map((options) => this.task({ ...options, inputPath }, train));
      const results = await this.runs.runGroup(tasks);
      results.forEach((r, i) => r instanceof EngineError || this.log(tasks[i], r));
    })().catch(() => undefined);
  }

  /** The file behind a panel's input index (undefined for self-influence), or null (logged) when the panel does not offer it. */
  private panelInput(input: number | undefined, method: InfluenceMethod): string | undefined | null {
    const inputPath = input === undefined ? undefined : this.inputs.inputAt(input);
    if (method !== 'self' && !inputPath) {
      this.output.warn(`Ignored an influence request for input #${input}: the panel does not offer it.`);
      return null;
    }
    return inputPath;
  }

  /**
   * Ranks the training set for one input (or by self-influence) under a cancellable progress
   * notification and shows the result in the panel. Rejects with an EngineError (CANCELLED when
   * cancelled, superseded, or no training set was chosen).
   */
  async find(request: InfluenceRequest): Promise<InfluenceResult> {
    const train = request.train ? path.resolve(request.train) : await this.trainingOverride();
    const task = this.task(request, train);
    const result = await this.runs.run(task);
    this.log(task, result);
    return result;
  }

  /** One influence query (its input becomes the panel's selected one); `train` as the engine should get it. */
  private task(request: InfluenceRequest, train: string | undefined): SectionTask<'influence'> {
    const { inputPath: requested, train: _train, ...options } = request;
    const { method } = options;
    const inputPath = method === 'self' ? undefined : requested && path.resolve(requested);
    if (method !== 'self' && !inputPath) throw new EngineError('BAD_REQUEST', `${INFLUENCE_METHOD_NAMES[method]} needs an input.`);
    if (method === 'self') delete options.label;
    const index = inputPath ? this.inputs.useInput(inputPath) : -1;
    const name = INFLUENCE_METHOD_NAMES[method];
    return {
      options,
      inputPath,
      input: index,
      inputLabel: inputPath ? vscode.workspace.asRelativePath(inputPath, false) : 'the training set',
      name,
      title: method === 'self' ? `Model Lens: finding suspicious training examples` : `Model Lens: ${name} on ${path.basename(inputPath!)}`,
      execute: async (token, report) => {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(this.storage.cacheDir));
        return this.engine.request('influence', { ...options, modelPath: this.modelPath, inputPath, train, cacheDir: this.storage.cacheDir }, token, report);
      },
    };
  }

  private log({ name, inputLabel }: SectionTask<'influence'>, result: InfluenceResult): void {
    this.output.info(`${name} on ${inputLabel}: ${result.scores.length} examples of ${result.trainSize} ranked${result.cached ? ' (cached gradients)' : ''} in ${Math.round(result.ms)} ms`);
    result.warnings.forEach((w) => this.output.warn(`${name} on ${inputLabel}: ${w}`));
  }

  /** The `train` to send: a chosen set, none (the engine reads the sidecar's), or one the user picks now. */
  private async trainingOverride(): Promise<string | undefined> {
    const current = this.training.current(this.summary);
    if (current.source === 'chosen') return current.path;
    if (current.source === 'sidecar') return undefined;
    const chosen = await this.training.ask(this.summary);
    if (!chosen) throw new EngineError('CANCELLED', 'No training set was chosen.');
    this.postTrain();
    return chosen;
  }

  async chooseTrain(): Promise<void> {
    if (await this.training.choose()) this.postTrain();
  }

  /** result.scores[index] of a kept `run`, opened in the editor; only where the engine said, inside the training set. */
  async openExample(run: number, index: number): Promise<void> {
    const last = this.runs.kept(run)?.message;
    const example = last?.result.scores[index];
    if (!last || !example) {
      this.output.warn(`Ignored a request to open example #${index} of influence run ${run}: the panel keeps runs ${this.runs.historyRuns().join(', ') || 'none'}.`);
      return;
    }
    const { location } = example;
    if (!isInTrainingSet(last.result.trainPath, location.path)) {
      this.output.warn(`Not opening ${location.path}: it is outside the training set ${last.result.trainPath}.`);
      return;
    }
    try {
      await openExample(location, this.exampleColumn());
      this.opened = location;
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: could not open ${example.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  cancel(): void {
    this.runs.cancel();
  }

  describe(): InfluenceState | undefined {
    const shown = this.runs.state();
    if (!shown) return undefined;
    const m = shown.message;
    const state: InfluenceState = { ...runState(shown), history: this.runs.historyRuns() };
    if (shown.inputPath) state.inputPath = shown.inputPath;
    if (shown.progress) state.progress = shown.progress;
    if (m.type === 'sectionResult') Object.assign(state, { scores: m.result.scores.map((s) => s.score), cached: m.result.cached, trainSize: m.result.trainSize, paramScope: m.result.paramScope });
    if (this.opened) state.opened = this.opened;
    return state;
  }

  private postTrain(): void {
    const { source, path: p } = this.training.current(this.summary);
    this.post({ type: 'influenceTrain', source, ...(p ? { label: vscode.workspace.asRelativePath(p, false) } : {}) });
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}
