/**
 * The `modelLens.icl.*` settings as Model Lens may use them. In a trusted workspace they follow VS
 * Code's order (folder, workspace, user, default). In an untrusted one only the user's values and
 * the defaults count: a workspace must not make Model Lens contact a server of its choosing (a host
 * on the user's network, or a paid API the user holds a key for). package.json lists these
 * settings in restrictedConfigurations too; reading inspect() here keeps the rule whatever the host
 * does with that list. Imports no vscode values, so the rule is unit-tested on its own.
 */
import type * as vscode from 'vscode';
import { PROVIDER_KINDS, type ProviderKind } from '../../protocol/options/icl';

export const ICL_SETTING_KEYS = ['provider', 'endpoint', 'model', 'localModel'] as const;
export type IclSettingKey = (typeof ICL_SETTING_KEYS)[number];

/** What WorkspaceConfiguration.inspect() reports of one setting (the parts this reads). */
export type Inspected = Pick<NonNullable<ReturnType<vscode.WorkspaceConfiguration['inspect']>>, 'defaultValue' | 'globalValue' | 'workspaceValue' | 'workspaceFolderValue'>;

export type SettingSource = 'default' | 'user' | 'workspace';

/** A setting's value and where it came from; `ignored`: a workspace value left out because the workspace is untrusted. */
export function effectiveSetting(inspected: Inspected | undefined, trusted: boolean): { value: unknown; from: SettingSource; ignored: boolean } {
  const workspace = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  if (trusted && workspace !== undefined) return { value: workspace, from: 'workspace', ignored: false };
  const ignored = !trusted && workspace !== undefined;
  if (inspected?.globalValue !== undefined) return { value: inspected.globalValue, from: 'user', ignored };
  return { value: inspected?.defaultValue, from: 'default', ignored };
}

export interface IclSettings {
  /** Which provider runs without asking: a local model, or the endpoint through /completions or /chat/completions. */
  provider: ProviderKind;
  /** The endpoint's base URL (no trailing slash) and where it was set. */
  endpoint?: { url: string; from: SettingSource };
  /** The model name sent to the endpoint. */
  model?: string;
  /** A local causal LM's model.json, as written (relative to the workspace folder, or absolute). */
  localModel?: string;
  /** What the settings could not give, in words (an untrusted workspace's values, a malformed URL). */
  notes: string[];
}

const nonEmpty = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The ICL settings from `inspect` (one setting of modelLens.icl at a time), with the trust rule applied. */
export function readIclSettings(inspect: (key: IclSettingKey) => Inspected | undefined, trusted: boolean): IclSettings {
  const read = Object.fromEntries(ICL_SETTING_KEYS.map((k) => [k, effectiveSetting(inspect(k), trusted)])) as Record<IclSettingKey, ReturnType<typeof effectiveSetting>>;
  const notes: string[] = [];
  const ignored = ICL_SETTING_KEYS.filter((k) => read[k].ignored);
  if (ignored.length) {
    notes.push(`This workspace's ${ignored.map((k) => `modelLens.icl.${k}`).join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not used: the workspace is not trusted, so only your user settings count.`);
  }
  const provider = PROVIDER_KINDS.includes(read.provider.value as ProviderKind) ? (read.provider.value as ProviderKind) : 'local';
  const settings: IclSettings = { provider, notes };
  const url = nonEmpty(read.endpoint.value);
  if (url && /^https?:\/\/\S+$/.test(url)) settings.endpoint = { url: url.replace(/\/+$/, ''), from: read.endpoint.from };
  else if (url) notes.push(`modelLens.icl.endpoint must be an http(s) base URL such as http://127.0.0.1:8080/v1; it is ${JSON.stringify(url)}.`);
  const model = nonEmpty(read.model.value);
  if (model) settings.model = model;
  const localModel = nonEmpty(read.localModel.value);
  if (localModel) settings.localModel = localModel;
  return settings;
}
