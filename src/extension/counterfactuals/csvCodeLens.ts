/**
 * "Find counterfactual" above each data row of a CSV that a workspace model takes: its sidecar
 * names the file (data.train, data.test, data.samples), or the model's features are all columns
 * of its header. The setting modelLens.counterfactualCodeLens turns the lenses off; in an
 * untrusted workspace there are none (models are not read there).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { isBlankRecord, splitCsv } from '../../shared/csv';
import { Disposable } from '../panel/dispose';
import type { ModelCatalog } from '../workspace/modelCatalog';
import type { FindCounterfactualArgs } from './findCounterfactual';

/** Lenses on the first this many rows of a long file (the command works on any row). */
const MAX_LENSES = 5000;
const SETTING = 'counterfactualCodeLens';

export const CSV_SELECTOR: vscode.DocumentSelector = { scheme: 'file', pattern: '**/*.{csv,tsv,CSV,TSV}' };

export class CounterfactualCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly catalog: ModelCatalog) {
    super();
    this._register(catalog.onDidChange(() => this.changed.fire()));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(`modelLens.${SETTING}`) && this.changed.fire()));
    this._register(vscode.workspace.onDidGrantWorkspaceTrust(() => this.changed.fire()));
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.isTrusted || !vscode.workspace.getConfiguration('modelLens').get<boolean>(SETTING, true)) return [];
    const { records, lines } = splitCsv(doc.getText());
    const first = records.findIndex((r) => !isBlankRecord(r));
    if (first < 0) return [];
    const file = path.resolve(doc.uri.fsPath);
    const models = await this.catalog.takingCsv(file, records[first]);
    if (!models.length) return [];
    const names = models.map((m) => vscode.workspace.asRelativePath(m.modelPath, false));
    const command = (line: number): vscode.Command => {
      const args: FindCounterfactualArgs = { input: file, line, ask: true, ...(models.length === 1 ? { model: models[0].modelPath } : {}) };
      return {
        title: 'Find counterfactual',
        tooltip: `The smallest change to this row that makes ${names.length === 1 ? names[0] : `one of ${names.join(', ')}`} predict another class`,
        command: 'modelLens.findCounterfactual',
        arguments: [args],
      };
    };
    const lenses: vscode.CodeLens[] = [];
    for (let k = first + 1; k < records.length && lenses.length < MAX_LENSES; k++) {
      if (!isBlankRecord(records[k])) lenses.push(new vscode.CodeLens(new vscode.Range(lines[k] - 1, 0, lines[k] - 1, 0), command(lines[k])));
    }
    return lenses;
  }
}
