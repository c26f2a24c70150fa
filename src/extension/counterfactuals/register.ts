/** Find Counterfactual's wiring: the command, the CodeLenses on CSVs a model takes, and the catalogue of models both read. */
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/engineClient';
import type { ModelPanels } from '../modelPanel/modelPanels';
import { ModelCatalog } from '../workspace/modelCatalog';
import { CounterfactualCodeLensProvider, CSV_SELECTOR } from './csvCodeLens';
import { findCounterfactualCommand } from './findCounterfactual';

export function registerCounterfactuals(context: vscode.ExtensionContext, c: { panels: ModelPanels; engine: EngineClient; output: vscode.LogOutputChannel }): vscode.Disposable {
  const catalog = new ModelCatalog();
  const lenses = new CounterfactualCodeLensProvider(catalog);
  // Rows and selections go to the engine as small files in the extension's storage.
  const scratch = vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'counterfactual-inputs');
  return vscode.Disposable.from(
    catalog,
    lenses,
    vscode.languages.registerCodeLensProvider(CSV_SELECTOR, lenses),
    vscode.commands.registerCommand('modelLens.findCounterfactual', findCounterfactualCommand({ ...c, catalog, scratch })),
  );
}
