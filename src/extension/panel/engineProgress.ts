/**
 * One engine request with progress, shared by the panel's sections. The section shows the run's
 * progress (and Cancel) itself; only a run still going after NOTIFY_AFTER_MS also gets a
 * cancellable progress notification, so short runs do not flash a toast.
 */
import * as vscode from 'vscode';

export type ProgressListener = (done: number, total: number, message?: string) => void;

/** A run that takes longer than this gets the notification with Cancel. */
export const NOTIFY_AFTER_MS = 1000;

/**
 * Runs `start` with `cts.token`; after NOTIFY_AFTER_MS, shows `title` with a Cancel button until it
 * settles. Cancelling the notification cancels `cts`, which the caller also cancels when a run is
 * superseded or its panel closes. `onProgress` sees every report.
 */
export function withEngineProgress<T>(
  title: string,
  cts: vscode.CancellationTokenSource,
  start: (token: vscode.CancellationToken, onProgress: ProgressListener) => Promise<T>,
  onProgress?: ProgressListener,
): Promise<T> {
  let last: { done: number; total: number; message?: string } | undefined;
  let notify: ProgressListener | undefined;
  const work = start(cts.token, (done, total, message) => {
    last = { done, total, message };
    notify?.(done, total, message);
    onProgress?.(done, total, message);
  });
  let settled = false;
  const finished = work.then(
    () => undefined,
    () => undefined,
  );
  void finished.then(() => (settled = true));
  const timer = setTimeout(() => {
    if (settled || cts.token.isCancellationRequested) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const link = token.onCancellationRequested(() => cts.cancel());
      let reported = 0;
      notify = (done, total, message) => {
        const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
        progress.report({ increment: Math.max(0, pct - reported), message: message ?? `${done}/${total}` });
        reported = Math.max(reported, pct);
      };
      if (last) notify(last.done, last.total, last.message);
      try {
        await finished;
      } finally {
        notify = undefined;
        link.dispose();
      }
    });
  }, NOTIFY_AFTER_MS);
  void finished.then(() => clearTimeout(timer));
  return work;
}
