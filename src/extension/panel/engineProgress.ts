/** One engine request under a cancellable progress notification, shared by the panel's sections. */
import * as vscode from 'vscode';

export type ProgressListener = (done: number, total: number, message?: string) => void;

/**
 * Shows `title` with a Cancel button while `start` runs. Cancelling the notification cancels `cts`,
 * which the caller also cancels when a run is superseded or its panel closes; `start` passes
 * `cts.token` and the listener to the engine. `onProgress` sees every report too.
 */
export function withEngineProgress<T>(
  title: string,
  cts: vscode.CancellationTokenSource,
  start: (token: vscode.CancellationToken, onProgress: ProgressListener) => Promise<T>,
  onProgress?: ProgressListener,
): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const link = token.onCancellationRequested(() => cts.cancel());
    let reported = 0;
    try {
      return await start(cts.token, (done, total, message) => {
        const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
        progress.report({ increment: Math.max(0, pct - reported), message: message ?? `${done}/${total}` });
        reported = Math.max(reported, pct);
        onProgress?.(done, total, message);
      });
    } finally {
      link.dispose();
    }
  });
}
