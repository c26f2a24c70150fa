/** Model Lens: Select Backend — writes the modelLens.backend setting; the engine restarts on change. */
import * as vscode from 'vscode';
import { BACKEND_CHOICES, type BackendChoice } from '../../protocol/model';

const DESCRIPTIONS: Record<BackendChoice, string> = {
  auto: 'native TensorFlow if installed, else wasm, else cpu',
  tensorflow: 'native libtensorflow (@tensorflow/tfjs-node)',
  wasm: 'WebAssembly with SIMD (embedded)',
  cpu: 'pure JavaScript (slowest, every kernel)',
};

export async function selectBackend(): Promise<void> {
  const current = vscode.workspace.getConfiguration('modelLens').get<BackendChoice>('backend', 'auto');
  const picked = await vscode.window.showQuickPick(
    BACKEND_CHOICES.map((choice) => ({ label: choice, description: DESCRIPTIONS[choice], picked: choice === current })),
    { title: 'Model Lens: Select Backend', placeHolder: `Current: ${current}` },
  );
  if (picked && picked.label !== current) {
    await vscode.workspace.getConfiguration('modelLens').update('backend', picked.label, vscode.ConfigurationTarget.Global);
  }
}
