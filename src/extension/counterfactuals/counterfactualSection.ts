/**
 * The Counterfactuals section of a model panel, host side: runs on the panel's inputs (a CSV's
 * data row by the `row` option, an image, a text file) or on one a command hands over (the row
 * under the cursor, a selection, an image), with the runner-up class as the target when none is
 * given; progress, Cancel and history through the section lifecycle; and Copy: a counterfactual as
 * a row of its CSV (the file's columns and style) or as JSON, onto the clipboard.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { CounterfactualMethodChoice, CounterfactualResult } from '../../protocol/counterfactual';
import type { ModelSummary } from '../../protocol/model';
import { COUNTERFACTUAL_METHOD_NAMES, type CounterfactualPanelOptions, type ToWebview } from '../../protocol/webview';
import { counterfactualCsvRow } from '../../shared/counterfactualCsv';
import { csvDataRow } from '../../shared/csv';
import { EngineError, type EngineClient } from '../engine/engineClient';
import { Disposable } from '../panel/dispose';
import { runState, SectionController, type RunState, type SavedSection, type SectionTask } from '../panel/sectionController';
import { counterfactualJson, labelColumnOf } from './copyText';

/** The panel's input list (the Explain section's), by index. */
interface PanelInputs {
  inputAt(index: number): string | undefined;
  useInput(file: string): number;
}

export interface CounterfactualRequest {
  inputPath: string;
  /** How the panel names the input ("data/test.csv row 5"); default its path relative to the workspace. */
  inputLabel?: string;
  /** Whether the input joins the panel's input list (a command's row or selection, written to a scratch file, does not). */
  listed?: boolean;
  options: CounterfactualPanelOptions;
}

/** What the panel's Counterfactuals section shows, for the API (tests and other extensions). */
export interface CounterfactualState extends RunState<CounterfactualMethodChoice> {
  /** Kept runs, newest first. */
  history: number[];
  inputPath?: string;
  inputLabel?: string;
  /** result: the method that ran, the target, each counterfactual's prediction, and why there is none. */
  ranMethod?: CounterfactualResult['method'];
  target?: number;
  predictions?: number[];
  reason?: string | null;
  /** The text Copy put on the clipboard last. */
  copied?: { run: number; index: number; format: 'csv' | 'json'; text: string };
}

export class CounterfactualFinder extends Disposable {
  private summary: ModelSummary | undefined;
  readonly runs: SectionController<'counterfactual'>;
  private copied: CounterfactualState['copied'];

  constructor(
    private readonly modelPath: string,
    private readonly engine: EngineClient,
    private readonly output: vscode.LogOutputChannel,
    private readonly inputs: PanelInputs,
    post: (message: ToWebview) => void,
  ) {
    super();
    this.runs = this._register(new SectionController('counterfactual', post, output));
  }

  setSummary(summary: ModelSummary | undefined): void {
    this.summary = summary;
  }

  replay(indexOf: (inputPath: string) => number): void {
    this.runs.replay(indexOf);
  }

  restore(saved: SavedSection<'counterfactual'> | undefined, seenRun: number): void {
    this.runs.restore(saved, seenRun);
  }

  /** A run from the panel on inputs[input]. Errors are shown, not thrown. */
  findFromPanel(input: number, options: CounterfactualPanelOptions): void {
    const inputPath = this.inputs.inputAt(input);
    if (!inputPath) {
      this.output.warn(`Ignored a counterfactual request for input #${input}: the panel does not offer it.`);
      return;
    }
    this.find({ inputPath, options, listed: true }).catch(() => undefined);
  }

  /** Several runs on one input from the panel, shown side by side. Errors are shown, not thrown. */
  compareFromPanel(input: number, variants: CounterfactualPanelOptions[]): void {
    const inputPath = this.inputs.inputAt(input);
    if (!inputPath) return;
    void this.runs.runGroup(variants.map((options) => this.task({ inputPath, options, listed: true }))).catch(() => undefined);
  }

  /**
   * Finds counterfactuals for one input and shows them in the panel. Rejects with an EngineError
   * (CANCELLED when cancelled or superseded), which the panel and a notification already show.
   */
  async find(request: CounterfactualRequest): Promise<CounterfactualResult> {
    const task = this.task(request);
    const result = await this.runs.run(task);
    const found = result.counterfactuals.length;
    this.output.info(`${task.name} on ${task.inputLabel}: ${found ? `${found} counterfactual${found === 1 ? '' : 's'} → ${result.targetLabel}` : `none (${result.reason})`} in ${Math.round(result.ms)} ms`);
    result.warnings.forEach((w) => this.output.warn(`${task.name} on ${task.inputLabel}: ${w}`));
    return result;
  }

  private task(request: CounterfactualRequest): SectionTask<'counterfactual'> {
    const inputPath = path.resolve(request.inputPath);
    const { options } = request;
    const index = request.listed ? this.inputs.useInput(inputPath) : -1;
    const relative = vscode.workspace.asRelativePath(inputPath, false);
    const inputLabel = request.inputLabel ?? (options.row !== undefined ? `${relative} row ${options.row}` : relative);
    const name = `Counterfactuals (${COUNTERFACTUAL_METHOD_NAMES[options.method ?? 'auto']})`;
    return {
      options,
      inputPath,
      input: index,
      inputLabel,
      name,
      title: `Model Lens: counterfactuals for ${inputLabel}`,
      execute: async (token, onProgress) => {
        const target = options.target ?? (await this.runnerUp(inputPath, options, token));
        return this.engine.request('counterfactual', { ...options, target, modelPath: this.modelPath, inputPath }, token, onProgress);
      },
    };
  }

  /** The input's second most probable class (for CSVs, of the row asked for): the default target. */
  private async runnerUp(inputPath: string, options: CounterfactualPanelOptions, token: vscode.CancellationToken): Promise<number> {
    const prediction = await this.engine.request('predict', { modelPath: this.modelPath, inputPath, top: 2, ...(options.output !== undefined ? { output: options.output } : {}) }, token);
    const rows = prediction.rows;
    const row = rows[(options.row ?? 1) - 1];
    if (!row) throw new EngineError('BAD_REQUEST', `Row ${options.row} is past the end: ${path.basename(inputPath)} holds ${rows.length} row${rows.length === 1 ? '' : 's'}.`);
    if (options.row === undefined && rows.length > 1) throw new EngineError('BAD_REQUEST', `${path.basename(inputPath)} holds ${rows.length} rows: choose the row to change (Row 1 to ${rows.length}).`);
    const second = row.top[1];
    if (!second) throw new EngineError('BAD_REQUEST', 'The model has one class: there is no other class to change its decision to.');
    return second.index;
  }

  /** Copies result.counterfactuals[index] of a kept run: as a row of its CSV, or as JSON. */
  async copy(run: number, index: number, format: 'csv' | 'json'): Promise<void> {
    const kept = this.runs.kept(run);
    const result = kept?.message.result;
    const cf = result?.counterfactuals[index];
    if (!kept || !result || !cf) {
      this.output.warn(`Ignored a request to copy counterfactual #${index} of run ${run}: the panel keeps runs ${this.runs.historyRuns().join(', ') || 'none'}.`);
      return;
    }
    let text: string;
    try {
      text = format === 'json' ? JSON.stringify(counterfactualJson(result, cf), null, 2) : await this.csvRow(kept.inputPath, result, index);
    } catch (err) {
      void vscode.window.showErrorMessage(`Model Lens: could not copy the counterfactual: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    await vscode.env.clipboard.writeText(text);
    this.copied = { run, index, format, text };
    vscode.window.setStatusBarMessage(`Model Lens: copied counterfactual ${index + 1} as ${format === 'csv' ? 'a CSV row' : 'JSON'}`, 4000);
  }

  /** The counterfactual as a row of the CSV the run read (its delimiter, columns, number style and label column). */
  private async csvRow(inputPath: string | undefined, result: CounterfactualResult, index: number): Promise<string> {
    const cf = result.counterfactuals[index];
    if (!inputPath || !cf.values || result.original.row === undefined) throw new Error('only counterfactuals of CSV rows copy as CSV; copy it as JSON.');
    const text = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(inputPath))).toString('utf8');
    const source = csvDataRow(text, result.original.row);
    if (!source) throw new Error(`${path.basename(inputPath)} no longer has row ${result.original.row}.`);
    const column = labelColumnOf(this.summary);
    return counterfactualCsvRow(source, cf.values, source.header.includes(column) ? { column, value: cf.label } : undefined);
  }

  cancel(): void {
    this.runs.cancel();
  }

  describe(): CounterfactualState | undefined {
    const shown = this.runs.state();
    if (!shown) return undefined;
    const m = shown.message;
    const state: CounterfactualState = { ...runState(shown), history: this.runs.historyRuns(), inputLabel: m.inputLabel };
    if (shown.inputPath) state.inputPath = shown.inputPath;
    if (m.type === 'sectionResult') {
      const r = m.result;
      Object.assign(state, { ranMethod: r.method, target: r.target, predictions: r.counterfactuals.map((c) => c.prediction), reason: r.reason });
    }
    if (this.copied) state.copied = this.copied;
    return state;
  }

  override dispose(): void {
    this.cancel();
    super.dispose();
  }
}
