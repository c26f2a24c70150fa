/**
 * Which training set an influence query uses: one the user chose for this model (remembered per
 * workspace), else the sidecar's data.train. Without either, the user is asked: edit the sidecar
 * or choose a folder / file.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelSummary } from '../../protocol/model';

const CHOSEN_KEY = 'modelLens.influenceTrain';
const MAX_REMEMBERED = 100;

export interface TrainingData {
  source: 'sidecar' | 'chosen' | 'none';
  /** Absolute path; absent when there is none. */
  path?: string;
}

export class TrainingDataChoice {
  constructor(
    private readonly modelPath: string,
    private readonly state: vscode.Memento,
  ) {}

  current(summary: ModelSummary | undefined): TrainingData {
    const chosen = this.state.get<Record<string, string>>(CHOSEN_KEY, {})[this.modelPath];
    if (chosen) return { source: 'chosen', path: chosen };
    const { path: sidecarPath, sidecar } = summary?.sidecar ?? { path: null, sidecar: {} };
    const train = sidecar.data?.train;
    return sidecarPath && train ? { source: 'sidecar', path: path.resolve(path.dirname(sidecarPath), train) } : { source: 'none' };
  }

  /** A dialog for a folder (images, one sub-folder per class) or a file (CSV, JSONL, tensor JSON); remembered. */
  async choose(): Promise<string | undefined> {
    const picked = await vscode.window.showOpenDialog({
      title: 'Model Lens: choose the training data (a folder of class sub-folders, or a CSV / JSONL / tensor JSON file)',
      canSelectFiles: true,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: vscode.Uri.file(path.dirname(this.modelPath)),
      openLabel: 'Use as training data',
    });
    const uri = picked?.[0];
    if (!uri) return undefined;
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Model Lens reads training data on disk; ${uri.toString()} is not a local folder or file.`);
      return undefined;
    }
    const map = { ...this.state.get<Record<string, string>>(CHOSEN_KEY, {}) };
    delete map[this.modelPath];
    map[this.modelPath] = path.resolve(uri.fsPath);
    const keys = Object.keys(map);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) delete map[old];
    await this.state.update(CHOSEN_KEY, map);
    return map[this.modelPath];
  }

  /** There is no training set: say so, and offer to edit the sidecar or choose one. Resolves with a chosen path. */
  async ask(summary: ModelSummary | undefined): Promise<string | undefined> {
    const sidecar = summary?.sidecar.path ? vscode.workspace.asRelativePath(summary.sidecar.path) : `a ${path.basename(this.modelPath, '.json')}.lens.json sidecar`;
    const choice = await vscode.window.showWarningMessage(
      `Model Lens needs the training set to rank it: name it as data.train in ${sidecar}, or choose a folder or file.`,
      'Edit Sidecar',
      'Choose Training Data…',
    );
    if (choice === 'Edit Sidecar') {
      await vscode.commands.executeCommand('modelLens.openSidecar', vscode.Uri.file(this.modelPath));
      return undefined;
    }
    return choice ? this.choose() : undefined;
  }
}
