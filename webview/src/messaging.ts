/** Typed channel to the extension host. */
import type { FromWebview, ToWebview } from '../../src/protocol/webview';

const vscode = acquireVsCodeApi<ToWebview>();

export function post(message: FromWebview): void {
  vscode.postMessage(message);
}

export function onMessage(handler: (message: ToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<ToWebview>) => handler(event.data));
}

/** The last state the host sent, kept so a hidden-then-shown panel redraws at once. */
export const saved = {
  get: (): ToWebview | undefined => vscode.getState(),
  set: (state: ToWebview): void => {
    vscode.setState(state);
  },
};
