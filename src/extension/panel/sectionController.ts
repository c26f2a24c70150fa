/**
 * The host side of one panel section's runs (Explain, Influence, and every section the next issues
 * add): one run at a time, a new one cancelling the running one; numbered, so that only the latest
 * shows its failure and the webview can report which it has drawn; progress relayed to the
 * webview (and, for long runs, a cancellable notification: Cancel → engine cancel); failures
 * logged and notified; groups of runs to compare side by side; and the section's history, its
 * latest MAX_HISTORY results (re-sent when the webview reloads, recalled on request, saved for the
 * panel serializer). Sections supply only what to run.
 */
import * as vscode from 'vscode';
import { fieldSpecs } from '../../protocol/options';
import {
  MAX_HISTORY,
  sectionRequest,
  type HistoryEntry,
  type MethodOf,
  type RunGroup,
  type SectionId,
  type SectionMessage,
  type SectionProgress,
  type SectionResult,
  type SectionRun,
  type Sections,
  type ToWebview,
} from '../../protocol/webview';
import { EngineError } from '../engine/engineClient';
import { Disposable } from './dispose';
import { withEngineProgress, type ProgressListener } from './engineProgress';

/** What every section's describe() reports of the run it shows (tests and other extensions). */
export interface RunState<M extends string | undefined = string> {
  run: number;
  state: 'running' | 'result' | 'error';
  method: M;
  /** The webview has drawn this run. */
  rendered: boolean;
  /** Runs started together (a comparison): this one's place in the group. */
  group?: RunGroup;
  code?: string;
  message?: string;
}

/** The shown run's RunState: its number, state, method, whether drawn, and an error's code and message. */
export function runState<S extends SectionId>(shown: { message: SectionMessage<S>; rendered: boolean }): RunState<MethodOf<S>> {
  const m = shown.message;
  const state: RunState<MethodOf<S>> = {
    run: m.run,
    state: m.type === 'sectionRunning' ? 'running' : m.type === 'sectionResult' ? 'result' : 'error',
    method: (m.options as { method?: string }).method as MethodOf<S>,
    rendered: shown.rendered,
  };
  if (m.group) state.group = m.group;
  if (m.type === 'sectionError') Object.assign(state, { code: m.code, message: m.message });
  return state;
}

/** One run to start: what the panel shows about it and how to compute it. */
export interface SectionTask<S extends SectionId> {
  options: Sections[S]['options'];
  /** The input's file, when the run has one. */
  inputPath?: string;
  /** The input's index in the panel's list (-1: none or not listed) and its label. */
  input: number;
  inputLabel: string;
  /** For notifications and the log: "Integrated Gradients", "TracIn". */
  name: string;
  /** The progress notification's title. */
  title: string;
  execute(token: vscode.CancellationToken, onProgress: ProgressListener): Promise<Sections[S]['result']>;
}

/** A kept result: its message, its input file and when it finished. */
export interface KeptResult<S extends SectionId = SectionId> {
  message: SectionResult<S>;
  inputPath?: string;
  at: number;
}

/** A section as the host saves it for a reloaded window: the latest result and input file, and the history. */
export interface SavedSection<S extends SectionId = SectionId> {
  message: SectionResult<S>;
  inputPath?: string;
  /** Newest first (message is history[0]'s); absent in panels saved before histories were kept. */
  history?: KeptResult<S>[];
}

interface Shown<S extends SectionId> {
  message: SectionMessage<S>;
  inputPath?: string;
}

/** Progress goes to the webview at most this often (the engine may report every example). */
const PROGRESS_POST_MS = 150;
/** The history keeps at most this much of results (JSON characters), newest first; the latest is always kept. */
const HISTORY_BUDGET_CHARS = 16 * 1024 * 1024;

export class SectionController<S extends SectionId> extends Disposable {
  private nextRun = 1;
  private current: { run: number; cts: vscode.CancellationTokenSource } | undefined;
  private renderedRun = 0;
  /** The latest result, which the panel keeps showing while a new run computes or after it fails. */
  private lastResult: Shown<S> | undefined;
  /** The latest run's message (running, result or error). */
  private latest: Shown<S> | undefined;
  private lastProgress: { run: number; progress: SectionProgress } | undefined;
  /** Kept results, newest first, and their sizes. */
  private history: (KeptResult<S> & { chars: number })[] = [];
  private readonly resultEmitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when a new result is kept (the panel saves it for the serializer). */
  readonly onDidChangeResult = this.resultEmitter.event;

  constructor(
    readonly section: S,
    private readonly post: (message: ToWebview) => void,
    private readonly output: vscode.LogOutputChannel,
  ) {
    super();
  }

  /**
   * Starts a run, cancelling the running one. Resolves with the result; rejects with an
   * EngineError (CANCELLED when cancelled or superseded), which the panel already shows.
   */
  async run(task: SectionTask<S>, group?: RunGroup): Promise<Sections[S]['result']> {
    this.current?.cts.cancel(); // one run at a time: a new one replaces the running one
    const run = this.nextRun++;
    const cts = new vscode.CancellationTokenSource();
    this.current = { run, cts };
    const base = { section: this.section, run, input: task.input, inputLabel: task.inputLabel, options: task.options, ...(group ? { group } : {}) } as SectionRun<S>;
    const show = (message: SectionMessage<S>) => {
      this.latest = { message, inputPath: task.inputPath };
      this.post(message as ToWebview);
    };
    show({ type: 'sectionRunning', ...base } as SectionMessage<S>);
    let lastPost = 0;
    const onProgress: ProgressListener = (done, total, message) => {
      this.lastProgress = { run, progress: message === undefined ? { done, total } : { done, total, message } };
      if (!this.isLatest(run) || (Date.now() - lastPost < PROGRESS_POST_MS && done < total)) return;
      lastPost = Date.now();
      show({ type: 'sectionRunning', ...base, progress: this.lastProgress.progress } as SectionMessage<S>);
    };
    try {
      const result = await withEngineProgress(task.title, cts, (token, report) => task.execute(token, report), onProgress);
      if (cts.token.isCancellationRequested) throw new EngineError('CANCELLED', 'Cancelled.');
      const message = { type: 'sectionResult', ...base, result } as SectionResult<S>;
      this.lastResult = { message, inputPath: task.inputPath };
      show(message);
      this.keep({ message, inputPath: task.inputPath, at: Date.now() });
      this.resultEmitter.fire();
      return result;
    } catch (err) {
      const error = asEngineError(err, cts.token);
      if (this.isLatest(run)) show({ type: 'sectionError', ...base, code: error.code, message: error.message } as SectionMessage<S>);
      if (error.code !== 'CANCELLED') {
        this.output.error(`${task.name} on ${task.inputPath ?? task.inputLabel}: ${error.message}`);
        void vscode.window.showErrorMessage(`Model Lens: ${task.name} failed: ${error.message}`, 'Show Log').then((c) => c && this.output.show());
      }
      throw error;
    } finally {
      if (this.isLatest(run)) this.current = undefined;
      cts.dispose();
    }
  }

  /**
   * Runs `tasks` one after another as one group, which the panel shows side by side. A failed run
   * does not stop the others; a cancelled or superseded one stops the group (rejects CANCELLED).
   * Resolves with each run's result, or its error.
   */
  async runGroup(tasks: SectionTask<S>[]): Promise<(Sections[S]['result'] | EngineError)[]> {
    const id = this.nextRun;
    const out: (Sections[S]['result'] | EngineError)[] = [];
    for (const [index, task] of tasks.entries()) {
      try {
        out.push(await this.run(task, { id, index, size: tasks.length }));
      } catch (err) {
        if (err instanceof EngineError && err.code === 'CANCELLED') throw err;
        out.push(err instanceof EngineError ? err : new EngineError('INTERNAL', String(err)));
      }
    }
    return out;
  }

  /** Sends the kept results of `runs` (those still kept), in that order. */
  recall(runs: number[]): void {
    const results = runs.map((r) => this.history.find((k) => k.message.run === r)?.message).filter((m): m is SectionResult<S> => !!m);
    this.post({ type: 'sectionRecalled', section: this.section, results } as ToWebview);
  }

  /** A kept result of `run` (undefined when it is not kept), with its input file. */
  kept(run: number): KeptResult<S> | undefined {
    const k = this.history.find((h) => h.message.run === run);
    return k && { message: k.message, inputPath: k.inputPath, at: k.at };
  }

  /** Adds a result to the history (newest first), within MAX_HISTORY and the size budget, and tells the webview. */
  private keep(result: KeptResult<S>): void {
    const chars = JSON.stringify(result.message).length;
    const kept = [{ ...result, chars }, ...this.history.filter((h) => h.message.run !== result.message.run)];
    let total = 0;
    this.history = kept.filter((h, i) => {
      total += h.chars;
      return i === 0 || (i < MAX_HISTORY && total <= HISTORY_BUDGET_CHARS);
    });
    this.postHistory();
  }

  private postHistory(): void {
    const entries: HistoryEntry[] = this.history.map(({ message: m, at }) => {
      const request = sectionRequest(this.section, (m.options as { method?: string }).method);
      const paths = new Set(request ? fieldSpecs(request).filter((f) => !f.panel).map((f) => f.key) : []);
      // What the result says it was computed with (run-time choices resolved), without paths, and the
      // run's method (a section's method may be the request itself, whose options have none).
      const resolved = { ...((m.result as { options?: Record<string, unknown> }).options ?? m.options), method: (m.options as { method?: string }).method } as Record<string, unknown>;
      const options = Object.fromEntries(Object.entries(resolved).filter(([k, v]) => v !== undefined && (k === 'method' || !paths.has(k))));
      return { run: m.run, at, inputLabel: m.inputLabel, options, ...(m.group ? { group: m.group } : {}) };
    });
    this.post({ type: 'sectionHistory', section: this.section, entries });
  }

  isLatest(run: number): boolean {
    return this.current?.run === run;
  }

  cancel(): void {
    this.current?.cts.cancel();
  }

  /** The webview drew `run` (ignored for runs that never were). */
  markRendered(run: number): void {
    if (run > this.renderedRun && run < this.nextRun) this.renderedRun = run;
  }

  /** The webview (re)loaded: the latest result, then the latest run if it is another; `indexOf` re-points inputs that moved. */
  replay(indexOf: (inputPath: string) => number = () => -1): void {
    const send = (shown: Shown<S>) => {
      const input = shown.inputPath ? indexOf(shown.inputPath) : shown.message.input;
      this.post({ ...shown.message, input } as ToWebview);
    };
    this.postHistory();
    // The latest result's group comes back whole (its earlier runs first), so the panel shows it side by side again.
    const group = this.lastResult?.message.group;
    if (group) for (const k of [...this.history].reverse()) if (k.message.group?.id === group.id && k.message !== this.lastResult?.message) send(k);
    if (this.lastResult) send(this.lastResult);
    if (this.latest && this.latest.message !== this.lastResult?.message) send(this.latest);
  }

  /** The latest result and its input file. */
  result(): { message: SectionResult<S>; inputPath?: string } | undefined {
    return this.lastResult && { message: this.lastResult.message as SectionResult<S>, inputPath: this.lastResult.inputPath };
  }

  /** What the panel serializer saves: the latest result and the history. */
  saved(): SavedSection<S> | undefined {
    const last = this.result();
    return last && { ...last, history: this.history.map(({ message, inputPath, at }) => ({ message, inputPath, at })) };
  }

  /** The history's entries, newest first, for describe(). */
  historyRuns(): number[] {
    return this.history.map((h) => h.message.run);
  }

  /** What the section shows now, for describe(): the latest run's message, its input and whether it is drawn. */
  state(): { message: SectionMessage<S>; inputPath?: string; progress?: SectionProgress; rendered: boolean } | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    const m = latest.message;
    const out: ReturnType<SectionController<S>['state']> = { message: m, rendered: m.type === 'sectionResult' && this.renderedRun >= m.run };
    if (latest.inputPath) out!.inputPath = latest.inputPath;
    if (this.lastProgress?.run === m.run) out!.progress = this.lastProgress.progress;
    return out;
  }

  /** A reloaded window: show the saved result again, and number new runs after it (and after `seenRun`, the webview's). */
  restore(saved: SavedSection<S> | undefined, seenRun = 0): void {
    if (saved && saved.message.section === this.section) {
      this.lastResult = { message: saved.message, inputPath: saved.inputPath };
      this.latest = this.lastResult;
      const kept = (saved.history ?? [{ ...saved, at: Date.now() }]).filter((h) => h.message?.section === this.section && h.message.type === 'sectionResult');
      this.history = kept.slice(0, MAX_HISTORY).map((h) => ({ ...h, chars: JSON.stringify(h.message).length }));
    }
    const newest = Math.max(saved?.message.run ?? 0, ...this.history.map((h) => h.message.run));
    this.nextRun = Math.max(this.nextRun, newest + 1, seenRun + 1);
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}

/** Any failure as an EngineError; a cancelled token makes it CANCELLED whatever the engine said. */
export function asEngineError(err: unknown, token: vscode.CancellationToken): EngineError {
  const error = err instanceof EngineError ? err : new EngineError('INTERNAL', err instanceof Error ? err.message : String(err));
  return error.code === 'CANCELLED' || token.isCancellationRequested ? new EngineError('CANCELLED', 'Cancelled.') : error;
}
