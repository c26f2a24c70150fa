/**
 * Endpoint API keys in VS Code's SecretStorage, one per server origin (scheme, host and port): a key
 * goes only to the server it was stored for, never to another endpoint a setting names later. Keys
 * are never written to settings, logs, results or messages; the engine gets one as its request's
 * `apiKey` and sends it as `Authorization: Bearer …`.
 *
 * Model Lens: Set API Key asks for the endpoint (the configured one is offered) and the key (a
 * password box; empty removes the stored key).
 */
import * as vscode from 'vscode';

const SECRET_PREFIX = 'modelLens.icl.apiKey:';

/** The origin a key belongs to ("http://127.0.0.1:8080"), or undefined for what is not an http(s) URL. */
export function endpointOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The key stored for the origin of `url`, if any. */
  async get(url: string): Promise<string | undefined> {
    const origin = endpointOrigin(url);
    return origin ? ((await this.secrets.get(SECRET_PREFIX + origin)) ?? undefined) : undefined;
  }

  async set(url: string, key: string): Promise<void> {
    const origin = endpointOrigin(url);
    if (!origin) throw new Error(`${url} is not an http(s) URL.`);
    if (key) await this.secrets.store(SECRET_PREFIX + origin, key);
    else await this.secrets.delete(SECRET_PREFIX + origin);
  }
}

/** Model Lens: Set API Key. `endpoint()`: the configured endpoint, offered first. */
export function setApiKeyCommand(keys: ApiKeys, endpoint: () => string | undefined) {
  return async (): Promise<void> => {
    const url = await vscode.window.showInputBox({
      title: 'Model Lens: Set API Key (1/2)',
      prompt: 'The endpoint the key is for: it is sent to this server (scheme, host and port) only.',
      value: endpoint() ?? 'https://api.openai.com/v1',
      ignoreFocusOut: true,
      validateInput: (v) => (endpointOrigin(v.trim()) ? undefined : 'An http(s) URL, e.g. http://127.0.0.1:8080/v1'),
    });
    if (url === undefined) return;
    const origin = endpointOrigin(url.trim())!;
    const key = await vscode.window.showInputBox({
      title: 'Model Lens: Set API Key (2/2)',
      prompt: `The API key for ${origin}, kept in VS Code's secret storage. Leave it empty to remove the stored key.`,
      password: true,
      ignoreFocusOut: true,
    });
    if (key === undefined) return;
    await keys.set(origin, key.trim());
    void vscode.window.showInformationMessage(key.trim() ? `Model Lens: API key stored for ${origin}.` : `Model Lens: API key for ${origin} removed.`);
  };
}
