/**
 * The runs of one panel section (Explain, Influence): one at a time, a new one cancelling the
 * running one; numbered, so that only the latest shows its failure and the webview can report
 * which it has drawn.
 */
import * as vscode from 'vscode';
import type { EngineError } from '../engine/engineClient';
import { asEngineError } from './engineProgress';

export interface SectionRun {
  readonly run: number;
  readonly cts: vscode.CancellationTokenSource;
}

export class SectionRuns {
  private nextRun = 1;
  private current: SectionRun | undefined;
  private renderedRun = 0;

  constructor(private readonly output: vscode.LogOutputChannel) {}

  /** Cancels the running run and starts the next. Pair with end(). */
  begin(): SectionRun {
    this.current?.cts.cancel(); // one run at a time: a new one replaces the running one
    this.current = { run: this.nextRun++, cts: new vscode.CancellationTokenSource() };
    return this.current;
  }

  isLatest(run: number): boolean {
    return this.current?.run === run;
  }

  /**
   * A run's failure as an EngineError (CANCELLED when cancelled or superseded), to throw: `show`
   * gets it while the run is the latest; anything but a cancel is logged as `${name} on ${subject}`
   * and notified as "Model Lens: `name` failed".
   */
  failed(r: SectionRun, err: unknown, name: string, subject: string, show: (error: EngineError) => void): EngineError {
    const error = asEngineError(err, r.cts.token);
    if (this.isLatest(r.run)) show(error);
    if (error.code !== 'CANCELLED') {
      this.output.error(`${name} on ${subject}: ${error.message}`);
      void vscode.window.showErrorMessage(`Model Lens: ${name} failed: ${error.message}`, 'Show Log').then((c) => c && this.output.show());
    }
    return error;
  }

  end(r: SectionRun): void {
    if (this.isLatest(r.run)) this.current = undefined;
    r.cts.dispose();
  }

  cancel(): void {
    this.current?.cts.cancel();
  }

  /** The webview drew `run` (ignored for runs that never were). */
  markRendered(run: number): void {
    if (run > this.renderedRun && run < this.nextRun) this.renderedRun = run;
  }

  isRendered(run: number): boolean {
    return this.renderedRun >= run;
  }
}
