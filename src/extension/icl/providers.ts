/**
 * The language models an ICL panel offers: the endpoint from the settings (read under the trust
 * rule of settings.ts), the local model the settings name, the workspace's causal LMs (a model.json
 * whose sidecar names the `pieces` tokenizer, e.g. examples/tiny-decoder/model.json), and models
 * chosen through the panel or passed to the command. Local models load only in a trusted workspace.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { splitProvider } from '../../protocol/options/icl';
import type { IclProviderChoice } from '../../protocol/webview';
import { sidecarOf } from '../workspace/sidecarInputs';
import { workspaceModels } from '../workspace/pickModel';
import type { IclSettings } from './settings';

/** A provider the panel offers, with what the engine gets: `provider` (local:<path> or openai[-chat]:<url>) and the model name. */
export interface ProviderEntry extends IclProviderChoice {
  provider: string;
  model?: string;
}

const relative = (file: string) => vscode.workspace.asRelativePath(file, false);

/** The entry of a `local:`/`openai:`/`openai-chat:` provider string (a command's argument, a chosen model). */
export function providerEntry(provider: string, model: string | undefined, detail: string): ProviderEntry {
  const { kind, target } = splitProvider(provider);
  if (kind === 'local') return { label: relative(target), kind, detail, provider: `local:${path.resolve(target)}` };
  return { label: `${target}${model ? ` · ${model}` : ''}${kind === 'openai-chat' ? ' (chat)' : ''}`, kind, detail, provider, ...(model ? { model } : {}) };
}

/** The endpoint the settings name, as an entry (its API from `provider`: /completions unless openai-chat). */
export function endpointEntry(settings: IclSettings): ProviderEntry | undefined {
  const e = settings.endpoint;
  if (!e) return undefined;
  const kind = settings.provider === 'openai-chat' ? 'openai-chat' : 'openai';
  return providerEntry(`${kind}:${e.url}`, settings.model, `endpoint from your ${e.from === 'workspace' ? 'workspace' : 'user'} settings`);
}

/** Whether a model.json's sidecar says it is a causal LM (the `pieces` tokenizer). */
async function isCausalLm(model: vscode.Uri): Promise<boolean> {
  try {
    const sidecar = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(sidecarOf(model.fsPath)))).toString('utf8')) as { input?: { tokenizer?: unknown } };
    return sidecar.input?.tokenizer === 'pieces';
  } catch {
    return false;
  }
}

/** The workspace's causal language models (model.json files whose sidecar names the pieces tokenizer). */
export async function workspaceLanguageModels(): Promise<vscode.Uri[]> {
  const models = await workspaceModels();
  const flags = await Promise.all(models.map(isCausalLm));
  return models.filter((_, i) => flags[i]).sort((a, b) => relative(a.fsPath).localeCompare(relative(b.fsPath)));
}

/** The settings' local model as an absolute path (relative ones against the first workspace folder). */
export function settingsLocalModel(settings: IclSettings): string | undefined {
  const p = settings.localModel;
  if (!p) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return path.isAbsolute(p) || !folder ? path.resolve(p) : path.resolve(folder, p);
}

/**
 * Every provider to offer, the one to preselect (the settings' choice) and notes on what is not
 * offered. `extra`: entries chosen through the panel or passed to the command (kept last).
 */
export async function providerChoices(settings: IclSettings, trusted: boolean, extra: ProviderEntry[]): Promise<{ entries: ProviderEntry[]; preferred: number; notes: string[] }> {
  const entries: ProviderEntry[] = [];
  const notes = [...settings.notes];
  const endpoint = endpointEntry(settings);
  if (endpoint) entries.push(endpoint);
  const local = settingsLocalModel(settings);
  if (trusted) {
    if (local) entries.push(providerEntry(`local:${local}`, undefined, 'local model from the settings'));
    for (const uri of await workspaceLanguageModels()) entries.push(providerEntry(`local:${uri.fsPath}`, undefined, 'a causal LM in the workspace'));
  } else notes.push('Local models load only in a trusted workspace.');
  for (const e of extra) if (trusted || e.kind !== 'local') entries.push(e);
  const unique = entries.filter((e, i) => entries.findIndex((f) => f.provider === e.provider && f.model === e.model) === i);
  if (!unique.length) {
    notes.push('No language model to offer: set modelLens.icl.endpoint (and modelLens.icl.provider) for a server, or add a causal LM to the workspace (a model.json whose sidecar names the pieces tokenizer).');
  }
  const wanted = settings.provider === 'local' ? (local ? `local:${local}` : undefined) : endpoint?.provider;
  const preferred = Math.max(0, unique.findIndex((e) => e.provider === wanted));
  return { entries: unique, preferred, notes };
}
