/**
 * The panel's HTML shell: strict CSP, a fresh nonce per load, only bundled local resources; and
 * what every panel does with its webview's messages first (validate them; send the workspace folders).
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { parseFromWebview, type FromWebview, type ToWebview } from '../../protocol/webview';

/** A message from a panel's webview, validated; an invalid one is logged (naming the panel) and dropped. */
export function fromWebview(raw: unknown, output: vscode.LogOutputChannel, panel: string): FromWebview | null {
  const message = parseFromWebview(raw);
  if (!message) output.warn(`Ignored an invalid message from the ${panel}.`);
  return message;
}

/** The workspace's folders on disk, so the panel shows paths relative to them. */
export function workspaceFoldersMessage(): ToWebview {
  return { type: 'workspaceFolders', folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath) };
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export function renderShell(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    // The toolkit's web components inject styles at run time.
    `style-src ${webview.cspSource} 'unsafe-inline'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${style}">
  <title>${escapeHtml(title)}</title>
</head>
<body>
  <main id="app" aria-live="polite"></main>
  <script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
