/**
 * Model Lens: Select Backend — writes the modelLens.backend setting; the engine restarts on change.
 * Backends that cannot start here are listed as unavailable with the reason; choosing one leaves
 * the setting and the engine as they are and says why. Scripts may pass the choice:
 * executeCommand('modelLens.selectBackend', 'wasm').
 */
import * as vscode from 'vscode';
import { BACKEND_CHOICES, type BackendChoice } from '../../protocol/model';
import { backendList, unavailableReason } from './backends';
import type { EngineClient } from './engineClient';

const DESCRIPTIONS: Record<BackendChoice, string> = {
  auto: 'native TensorFlow if installed, else wasm, else cpu',
  tensorflow: 'native libtensorflow (@tensorflow/tfjs-node)',
  wasm: 'WebAssembly with SIMD (embedded)',
  cpu: 'pure JavaScript (slowest, every kernel)',
};

type Item = vscode.QuickPickItem & { choice: BackendChoice };

export function selectBackendCommand(engine: EngineClient) {
  return async (arg?: unknown): Promise<void> => {
    const config = vscode.workspace.getConfiguration('modelLens');
    const current = config.get<BackendChoice>('backend', 'auto');
    const list = await backendList(engine);
    let choice: BackendChoice | undefined;
    if (typeof arg === 'string' && (BACKEND_CHOICES as readonly string[]).includes(arg)) choice = arg as BackendChoice;
    else {
      const items: Item[] = BACKEND_CHOICES.map((c) => {
        const reason = unavailableReason(c, list);
        return reason
          ? { choice: c, label: `$(circle-slash) ${c}`, description: 'unavailable', detail: reason }
          : { choice: c, label: c, description: DESCRIPTIONS[c], picked: c === current };
      });
      const picked = await vscode.window.showQuickPick(items, { title: 'Model Lens: Select Backend', placeHolder: `Current: ${current}` });
      choice = picked?.choice;
    }
    if (!choice) return;
    const reason = unavailableReason(choice, list);
    if (reason) {
      await warnUnavailable(choice, reason, engine);
      return;
    }
    if (choice !== current) await config.update('backend', choice, vscode.ConfigurationTarget.Global);
  };
}

/** "The tensorflow backend is not available (…); the engine stays on wasm." */
export async function warnUnavailable(choice: BackendChoice, reason: string, engine: EngineClient): Promise<void> {
  const active = await engine.backend().catch(() => undefined);
  const stays = active ? `the engine stays on ${active}` : 'the engine keeps its backend';
  void vscode.window.showWarningMessage(`Model Lens: the ${choice} backend is not available here (${reason}); ${stays}.`);
}
