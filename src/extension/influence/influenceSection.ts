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
import { runState, SectionController, type RunState, type SavedSection } from '../panel/sectionController';

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
  inputPath?: string;
  /** The engine's latest progress report of this run (e.g. how many training examples are done). */
  progress?: { done: number; total: number; message?: string };
  /** result: the scores in the order the panel got them, whether cached gradients were used, the training-set size. */
  scores?: number[];
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
    const inputPath = input === undefined ? undefined : this.inputs.inputAt(input);
    if (options.method !== 'self' && !inputPath) {
      this.output.warn(`Ignored an influence request for input #${input}: the panel does not offer it.`);
      return;
    }
    this.find({ ...options, inputPath }).catch(() => undefined);
  }

  /**
   * Ranks the training set for one input (or by self-influence) under a cancellable progress
   * notification and shows the result in the panel. Rejects with an EngineError (CANCELLED when
   * cancelled, superseded, or no training set was chosen).
   */
  async find(request: InfluenceRequest): Promise<InfluenceResult> {
    const { inputPath: requested, train: requestedTrain, ...options } = request;
    const { method } = options;
    const inputPath = method === 'self' ? undefined : requested && path.resolve(requested);
    if (method !== 'self' && !inputPath) throw new EngineError('BAD_REQUEST', `${INFLUENCE_METHOD_NAMES[method]} needs an input.`);
    if (method === 'self') delete options.label;
    const train = requestedTrain ? path.resolve(requestedTrain) : await this.trainingOverride();
    const index = inputPath ? this.inputs.useInput(inputPath) : -1;
    const inputLabel = inputPath ? vscode.workspace.asRelativePath(inputPath, false) : 'the training set';
    const name = INFLUENCE_METHOD_NAMES[method];
    const result = await this.runs.run({
      options,
      inputPath,
      input: index,
      inputLabel,
      name,
      title: method === 'self' ? `Model Lens: finding suspicious training examples` : `Model Lens: ${name} on ${path.basename(inputPath!)}`,
      execute: async (token, report) => {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(this.storage.cacheDir));
        return this.engine.request('influence', { ...options, modelPath: this.modelPath, inputPath, train, cacheDir: this.storage.cacheDir }, token, report);
      },
    });
    this.output.info(`${name} on ${inputLabel}: ${result.scores.length} examples of ${result.trainSize} ranked${result.cached ? ' (cached gradients)' : ''} in ${Math.round(result.ms)} ms`);
    result.warnings.forEach((w) => this.output.warn(`${name} on ${inputLabel}: ${w}`));
    return result;
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

  /** result.scores[index] of `run`, opened in the editor; only where the engine said, inside the training set. */
  async openExample(run: number, index: number): Promise<void> {
    const last = this.runs.result()?.message;
    const example = last?.run === run ? last.result.scores[index] : undefined;
    if (!last || !example) {
      this.output.warn(`Ignored a request to open example #${index} of influence run ${run}: the panel's latest result is run ${last?.run ?? 'none'}.`);
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
    const state: InfluenceState = runState(shown);
    if (shown.inputPath) state.inputPath = shown.inputPath;
    if (shown.progress) state.progress = shown.progress;
    if (m.type === 'sectionResult') Object.assign(state, { scores: m.result.scores.map((s) => s.score), cached: m.result.cached, trainSize: m.result.trainSize });
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
