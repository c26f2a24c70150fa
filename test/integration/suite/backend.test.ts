// Select Backend where a backend cannot start (tensorflow without @tensorflow/tfjs-node): the quick
// pick's choice and a hand-edited setting both leave the engine on its backend with a clear message.
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, example, poll, sleep, within } from './helpers';
import { nativeInstalled } from '../../helpers/native';

/** Records the extension's warning notifications (the tests share its `vscode` API object). */
function spyOnWarnings(): { notified: string[]; restore(): void } {
  const notified: string[] = [];
  const win = vscode.window as { showWarningMessage: (...args: unknown[]) => unknown };
  const original = win.showWarningMessage;
  win.showWarningMessage = (...args: unknown[]) => {
    notified.push(String(args[0]));
    return original.apply(vscode.window, args);
  };
  return { notified, restore: () => (win.showWarningMessage = original) };
}

describe('Select Backend with a backend that is not installed', function () {
  this.timeout(180_000);

  before(function () {
    if (nativeInstalled()) this.skip();
  });

  it('choosing tensorflow keeps the engine answering, the panel loaded, and says why', async function () {
    const api = await activate();
    const modelPath = example('mnist-cnn/model.json');
    await within(vscode.commands.executeCommand('modelLens.openModel', vscode.Uri.file(modelPath)), 120_000, 'modelLens.openModel');
    await within(api.whenRendered(modelPath), 120_000, 'api.whenRendered');
    const before = await within(api.backend(), 120_000, 'api.backend()');
    const { notified, restore } = spyOnWarnings();
    const config = vscode.workspace.getConfiguration('modelLens');
    const setting = config.inspect<string>('backend')?.globalValue;
    try {
      // The quick pick's choice (scripts may pass it as the argument).
      await within(vscode.commands.executeCommand('modelLens.selectBackend', 'tensorflow'), 30_000, 'modelLens.selectBackend(tensorflow)');
      await poll(() => notified.some((m) => /tensorflow backend is not available.*@tensorflow\/tfjs-node is not installed.*stays on/.test(m)), 10_000, 'the warning');
      assert.strictEqual(vscode.workspace.getConfiguration('modelLens').inspect<string>('backend')?.globalValue, setting, 'the setting was written');
      // The setting edited by hand: no restart onto a backend that cannot start.
      notified.length = 0;
      await config.update('backend', 'tensorflow', vscode.ConfigurationTarget.Global);
      await poll(() => notified.some((m) => /tensorflow backend is not available/.test(m)), 10_000, 'the warning for the edited setting');
      await sleep(1_000);
      assert.strictEqual(await within(api.backend(), 30_000, 'api.backend() after the choice'), before);
      assert.ok(api.statusBarText().includes(before), `status bar: ${api.statusBarText()}`);
      assert.deepStrictEqual(api.panelState(modelPath), { state: 'summary' }, 'the panel no longer shows its summary');
      // The engine still computes.
      const result = await within(
        vscode.commands.executeCommand<{ method: string } | undefined>('modelLens.explainInput', { model: modelPath, input: example('mnist-cnn/samples/digit-7-0.png'), options: { method: 'gradient' } }),
        120_000,
        'a gradient run after the choice',
      );
      assert.strictEqual(result?.method, 'gradient');
      assert.notStrictEqual(api.panelState(modelPath)?.explanation?.code, 'ENGINE_CRASHED');
    } finally {
      restore();
      await config.update('backend', setting, vscode.ConfigurationTarget.Global);
    }
  });
});
