/**
 * What each model panel showed last (its sections' latest results), kept in the extension's
 * storage so that a panel revived after a window reload shows them again, as the Markdown preview
 * does. One small JSON file per model under `<storage>/panels/`; a missing or unreadable file is
 * an empty panel.
 */
import { createHash } from 'crypto';
import * as vscode from 'vscode';
import type { SectionId } from '../../protocol/webview';
import type { SavedSection } from '../panel/sectionController';

export type SavedPanel = { [S in SectionId]?: SavedSection<S> };

export class PanelStore {
  constructor(
    private readonly dir: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  private fileOf(modelPath: string): vscode.Uri {
    return vscode.Uri.joinPath(this.dir, `${createHash('sha256').update(modelPath).digest('hex').slice(0, 32)}.json`);
  }

  async save(modelPath: string, panel: SavedPanel): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.dir);
      await vscode.workspace.fs.writeFile(this.fileOf(modelPath), Buffer.from(JSON.stringify({ modelPath, panel })));
    } catch (err) {
      this.output.warn(`Could not save the panel of ${modelPath} for a window reload: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async load(modelPath: string): Promise<SavedPanel> {
    try {
      const data = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(this.fileOf(modelPath))).toString('utf8')) as { modelPath?: unknown; panel?: SavedPanel };
      return data.modelPath === modelPath && data.panel && typeof data.panel === 'object' ? data.panel : {};
    } catch {
      return {};
    }
  }
}
