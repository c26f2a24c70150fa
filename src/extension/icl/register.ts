/**
 * The ICL feature's wiring: its environment (engine, log, keys, the settings under the trust rule,
 * storage), the ICL panels and their serializer, Compare ICL Label Flip, Set API Key, and the
 * panels' provider lists kept current as settings or the workspace's trust change.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/engineClient';
import { PanelStore } from '../modelPanel/panelStore';
import { ApiKeys, setApiKeyCommand } from './apiKeys';
import { compareIclCommand } from './compareCommand';
import type { IclEnvironment } from './iclPanel';
import { IclPanels } from './iclPanels';
import { readIclSettings } from './settings';

export interface IclFeature {
  panels: IclPanels;
  /** Tests only: treat the workspace as trusted or not (undefined: as VS Code says). */
  overrideTrust(trusted: boolean | undefined): void;
}

export function registerIcl(context: vscode.ExtensionContext, engine: EngineClient, output: vscode.LogOutputChannel): IclFeature {
  const storage = context.storageUri ?? context.globalStorageUri;
  let trustOverride: boolean | undefined;
  const trusted = () => trustOverride ?? vscode.workspace.isTrusted;
  const keys = new ApiKeys(context.secrets);
  const env: IclEnvironment = {
    engine,
    output,
    keys,
    trusted,
    settings: () => readIclSettings((key) => vscode.workspace.getConfiguration('modelLens.icl').inspect(key), trusted()),
    selectionDir: path.join(storage.fsPath, 'icl-selections'),
    store: new PanelStore(vscode.Uri.joinPath(storage, 'icl-panels'), output),
    extensionUri: context.extensionUri,
  };
  const panels = new IclPanels(env);
  context.subscriptions.push(
    panels,
    panels.registerSerializer(),
    vscode.commands.registerCommand('modelLens.compareIclLabelFlip', compareIclCommand(panels, context.workspaceState)),
    vscode.commands.registerCommand('modelLens.setApiKey', setApiKeyCommand(keys, () => env.settings().endpoint?.url)),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('modelLens.icl') && panels.refreshProviders()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => panels.refreshProviders()),
  );
  return {
    panels,
    overrideTrust: (value) => {
      trustOverride = value;
      panels.refreshProviders();
    },
  };
}
