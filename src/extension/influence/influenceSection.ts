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
import { INFLUENCE_METHOD_NAMES, type FromWebview, type InfluenceRun, type ToWebview } from '../../protocol/webview';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import { isInTrainingSet, openExample } from './openExample';
import { TrainingDataChoice } from './trainingData';
import { withEngineProgress } from '../panel/engineProgress';
import { SectionRuns } from '../panel/sectionRuns';

type InfluenceMessage = Extract<ToWebview, { type: 'influenceRunning' | 'influenceResult' | 'influenceError' }>;
type ResultMessage = Extract<ToWebview, { type: 'influenceResult' }>;

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

export interface InfluenceRequest {
  method: InfluenceMethod;
  /** Required unless method is 'self'. */
  inputPath?: string;
  label?: number;
  top?: number;
  /** A training set for this query only; default: the chosen one, else the sidecar's. */
  train?: string;
}

/** What the panel's Influence section shows, for the API (tests and other extensions). */
export interface InfluenceState {
  run: number;
  state: 'running' | 'result' | 'error';
  method: InfluenceMethod;
  inputPath?: string;
  /** The engine's latest progress report of this run (e.g. how many training examples are done). */
  progress?: { done: number; total: number; message?: string };
  code?: string;
  message?: string;
  /** result: the scores in the order the panel got them, whether cached gradients were used, the training-set size. */
  scores?: number[];
  cached?: boolean;
  trainSize?: number;
  /** The webview has drawn this run's galleries. */
  rendered: boolean;
  /** The training example opened last from the panel. */
  opened?: ExampleLocation;
}

/** Progress goes to the webview at most this often (the engine may report every example). */
const PROGRESS_POST_MS = 150;

export class InfluenceFinder extends Disposable {
  private summary: ModelSummary | undefined;
  private readonly training: TrainingDataChoice;
  private readonly runs: SectionRuns;
  private lastResult: { message: ResultMessage; inputPath?: string } | undefined;
  private latest: { message: InfluenceMessage; inputPath?: string } | undefined;
  private opened: ExampleLocation | undefined;
  /** The engine's latest progress report, kept after the run ends. */
  private lastProgress: { run: number; progress: NonNullable<InfluenceState['progress']> } | undefined;

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly storage: InfluenceStorage,
    private readonly inputs: InputList,
    private readonly post: (message: ToWebview) => void,
    private readonly exampleColumn: () => vscode.ViewColumn,
    panelDisposed: vscode.CancellationToken,
  ) {
    super();
    this.training = new TrainingDataChoice(modelPath, storage.state);
    this.runs = new SectionRuns(output);
    this._register(panelDisposed.onCancellationRequested(() => this.cancel()));
  }

  setSummary(summary: ModelSummary | undefined): void {
    this.summary = summary;
    this.postTrain();
  }

  replay(): void {
    this.postTrain();
    if (this.lastResult) this.post(this.lastResult.message);
    if (this.latest && this.latest.message !== this.lastResult?.message) this.post(this.latest.message);
  }

  /** A query from the panel: inputs are named by index. Errors are shown, not thrown. */
  findFromPanel(m: Extract<FromWebview, { type: 'findInfluence' }>): void {
    const inputPath = m.input === undefined ? undefined : this.inputs.inputAt(m.input);
    if (m.method !== 'self' && !inputPath) {
      this.output.warn(`Ignored an influence request for input #${m.input}: the panel does not offer it.`);
      return;
    }
    this.find({ method: m.method, inputPath, label: m.label, top: m.top }).catch(() => undefined);
  }

  /**
   * Ranks the training set for one input (or by self-influence) under a cancellable progress
   * notification and shows the result in the panel. Rejects with an EngineError (CANCELLED when
   * cancelled, superseded, or no training set was chosen).
   */
  async find(request: InfluenceRequest): Promise<InfluenceResult> {
    const { method } = request;
    const inputPath = method === 'self' ? undefined : request.inputPath && path.resolve(request.inputPath);
    if (method !== 'self' && !inputPath) throw new EngineError('BAD_REQUEST', `${INFLUENCE_METHOD_NAMES[method]} needs an input.`);
    const train = request.train ? path.resolve(request.train) : await this.trainingOverride();
    const index = inputPath ? this.inputs.useInput(inputPath) : -1;
    const slot = this.runs.begin();
    const { run, cts } = slot;
    const inputLabel = inputPath ? vscode.workspace.asRelativePath(inputPath, false) : 'the training set';
    const base: InfluenceRun = { run, method, input: index, inputLabel };
    const name = INFLUENCE_METHOD_NAMES[method];
    this.show({ type: 'influenceRunning', ...base }, inputPath);
    let lastPost = 0;
    const onProgress = (done: number, total: number, message?: string) => {
      this.lastProgress = { run, progress: { done, total, message } };
      if (!this.runs.isLatest(run) || (Date.now() - lastPost < PROGRESS_POST_MS && done < total)) return;
      lastPost = Date.now();
      this.show({ type: 'influenceRunning', ...base, progress: { done, total, message } }, inputPath);
    };
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(this.storage.cacheDir));
      const title = method === 'self' ? `Model Lens: finding suspicious training examples` : `Model Lens: ${name} on ${path.basename(inputPath!)}`;
      const params = { modelPath: this.modelPath, method, inputPath, label: request.label, top: request.top, train, cacheDir: this.storage.cacheDir };
      const result = await withEngineProgress(title, cts, (token, report) => this.engine.request('influence', params, token, report), onProgress);
      if (cts.token.isCancellationRequested) throw new EngineError('CANCELLED', 'Cancelled.');
      const message: ResultMessage = { type: 'influenceResult', ...base, result };
      this.lastResult = { message, inputPath };
      this.show(message, inputPath);
      this.output.info(`${name} on ${inputLabel}: ${result.scores.length} examples of ${result.trainSize} ranked${result.cached ? ' (cached gradients)' : ''} in ${Math.round(result.ms)} ms`);
      result.warnings.forEach((w) => this.output.warn(`${name} on ${inputLabel}: ${w}`));
      return result;
    } catch (err) {
      throw this.runs.failed(slot, err, name, inputLabel, (error) => this.show({ type: 'influenceError', ...base, code: error.code, message: error.message }, inputPath));
    } finally {
      this.runs.end(slot);
    }
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
    const last = this.lastResult?.message;
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

  markRendered(run: number): void {
    this.runs.markRendered(run);
  }

  describe(): InfluenceState | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    const m = latest.message;
    const state: InfluenceState = {
      run: m.run,
      state: m.type === 'influenceRunning' ? 'running' : m.type === 'influenceResult' ? 'result' : 'error',
      method: m.method,
      rendered: m.type === 'influenceResult' && this.runs.isRendered(m.run),
    };
    if (latest.inputPath) state.inputPath = latest.inputPath;
    if (this.lastProgress?.run === m.run) state.progress = this.lastProgress.progress;
    if (m.type === 'influenceError') Object.assign(state, { code: m.code, message: m.message });
    if (m.type === 'influenceResult') Object.assign(state, { scores: m.result.scores.map((s) => s.score), cached: m.result.cached, trainSize: m.result.trainSize });
    if (this.opened) state.opened = this.opened;
    return state;
  }

  private postTrain(): void {
    const { source, path: p } = this.training.current(this.summary);
    this.post({ type: 'influenceTrain', source, ...(p ? { label: vscode.workspace.asRelativePath(p, false) } : {}) });
  }

  private show(message: InfluenceMessage, inputPath: string | undefined): void {
    this.latest = { message, inputPath };
    this.post(message);
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}
