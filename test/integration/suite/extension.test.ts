// Integration tests through the real `vscode` API, inside a real extension host
// (desktop VS Code via @vscode/test-electron, or code-server's server-side host).
// The workspace is examples/ (see the runners).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';

const EXTENSION_ID = 'model-lens.model-lens';
const VIEW_TYPE = 'modelLens.model';
const REQUIRED_COMMANDS = ['modelLens.openModel', 'modelLens.showLog', 'modelLens.selectBackend'];
const BACKENDS = ['tensorflow', 'wasm', 'cpu'];


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function poll<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

function modelLensTabs(): vscode.Tab[] {
  const tabs: vscode.Tab[] = [];
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      // viewType may carry a prefix, e.g. "mainThreadWebview-modelLens.model".
      if (tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes(VIEW_TYPE)) tabs.push(tab);
    }
  }
  return tabs;
}

function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the runners open examples/)');
  return folder.uri.fsPath;
}

function exampleModel(rel: string): string {
  const p = path.join(workspaceRoot(), rel);
  assert.ok(fs.existsSync(p), `example model missing: ${p}`);
  return p;
}

async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await poll(() => modelLensTabs().length === 0 || undefined, 10_000, 'Model Lens tabs to close').catch(() => undefined);
}

describe('Model Lens extension (real VS Code)', function () {
  this.timeout(180_000);
  let api: ModelLensApi;

  before(function () {
    console.log(
      `VS Code ${vscode.version}, uiKind=${vscode.UIKind[vscode.env.uiKind]}, appHost=${vscode.env.appHost}, ` +
        `workspace=${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath}`,
    );
  });

  it('is installed and activates, returning its API', async function () {
    const ext = vscode.extensions.getExtension<ModelLensApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found`);
    api = await within(ext.activate(), 120_000, 'extension activation');
    assert.ok(ext.isActive, 'extension is not active after activate()');
    assert.ok(api, 'activate() returned no API object');
    for (const fn of ['backend', 'statusBarText', 'openPanels', 'whenRendered'] as const) {
      assert.strictEqual(typeof api[fn], 'function', `API lacks ${fn}()`);
    }
  });

  it('registers all its modelLens.* commands', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed: string[] = (ext.packageJSON?.contributes?.commands ?? []).map((c: { command: string }) => c.command);
    const expected = [...new Set([...REQUIRED_COMMANDS, ...contributed.filter((c) => c.startsWith('modelLens.'))])];
    for (const c of REQUIRED_COMMANDS) assert.ok(contributed.includes(c), `package.json does not contribute ${c}`);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = expected.filter((c) => !all.has(c));
    assert.deepStrictEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('reports a backend and shows it in the status bar', async function () {
    assert.ok(api, 'extension did not activate');
    const backend = await within(api.backend(), 120_000, 'api.backend()');
    assert.ok(BACKENDS.includes(backend), `backend() returned ${JSON.stringify(backend)}, expected one of ${BACKENDS}`);
    const text = api.statusBarText();
    console.log(`    backend: ${backend}; status bar: ${JSON.stringify(text)}`);
    assert.ok(text.includes(backend), `status bar text ${JSON.stringify(text)} does not mention backend ${backend}`);
  });

  it('opens examples/mnist-cnn/model.json in a webview panel beside the editor', async function () {
    assert.ok(api, 'extension did not activate');
    await closeAllEditors();
    const modelPath = exampleModel('mnist-cnn/model.json');
    await within(
      vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(modelPath)),
      120_000,
      'modelLens.openModel',
    );
    const tab = await poll(() => modelLensTabs()[0], 30_000, `a webview tab with viewType containing ${VIEW_TYPE}`);
    assert.strictEqual(tab.label, 'Model Lens: mnist-cnn');
    await within(api.whenRendered(modelPath), 120_000, 'api.whenRendered(mnist-cnn)');
    assert.deepStrictEqual(api.panelState(modelPath), { state: 'summary' });
    const panels = api.openPanels().map((p) => path.resolve(p));
    assert.ok(panels.includes(path.resolve(modelPath)), `openPanels() = ${JSON.stringify(panels)} lacks ${modelPath}`);
    // The status bar still names the backend once a model is loaded.
    const backend = await api.backend();
    assert.ok(api.statusBarText().includes(backend));
  });

  describe('with a broken model', function () {
    let brokenDir: string | undefined;

    before(function () {
      brokenDir = fs.mkdtempSync(path.join(workspaceRoot(), '.model-lens-test-broken-'));
      fs.writeFileSync(
        path.join(brokenDir, 'model.json'),
        '{ "format": "layers-model", "modelTopology": { "this is": not json',
      );
    });

    after(function () {
      if (brokenDir) fs.rmSync(brokenDir, { recursive: true, force: true });
    });

    it('shows an error and keeps working for a later valid model', async function () {
      assert.ok(api, 'extension did not activate');
      await closeAllEditors();
      const brokenPath = path.join(brokenDir!, 'model.json');

      // The extension's error notification, seen by wrapping the `vscode` API object it shares with the tests.
      const notified: string[] = [];
      const win = vscode.window as { showErrorMessage: (...args: unknown[]) => unknown };
      const original = win.showErrorMessage;
      win.showErrorMessage = (...args: unknown[]) => {
        notified.push(String(args[0]));
        return original.apply(vscode.window, args);
      };
      try {
        await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(brokenPath)), 120_000, 'modelLens.openModel(broken)');
        await within(api.whenRendered(brokenPath), 120_000, 'whenRendered(broken)');
      } finally {
        win.showErrorMessage = original;
      }
      const state = api.panelState(brokenPath);
      assert.ok(state?.state === 'error', `the panel shows ${JSON.stringify(state)}, not the error`);
      assert.strictEqual(state.code, 'INVALID_JSON');
      assert.match(state.message, /model\.json is not valid JSON/);
      assert.ok(notified.some((m) => /not valid JSON/.test(m)), `no error notification: ${JSON.stringify(notified)}`);

      // The extension still works afterwards.
      await closeAllEditors();
      const modelPath = exampleModel('mnist-cnn/model.json');
      await within(
        vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(modelPath)),
        120_000,
        'modelLens.openModel after a broken model',
      );
      await poll(() => modelLensTabs()[0], 30_000, 'the Model Lens tab after a broken model');
      await within(api.whenRendered(modelPath), 120_000, 'whenRendered(mnist-cnn) after a broken model');
      const backend = await api.backend();
      assert.ok(BACKENDS.includes(backend));
    });
  });

  after(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
