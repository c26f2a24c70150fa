// What the integration suites share: the extension's id, waiting with a deadline, and the
// example files of the workspace the runners open (examples/).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { ModelLensApi } from '../../../src/extension/extension';

export const EXTENSION_ID = 'model-lens.model-lens';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `p`, or a rejection naming `what` after `ms`. */
export async function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve(p),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Calls `fn` every 200 ms until it gives something other than undefined, null or false. */
export async function poll<T>(fn: () => T | undefined | Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(200);
  }
}

/** Activates Model Lens and returns its API. */
export async function activate(): Promise<ModelLensApi> {
  const ext = vscode.extensions.getExtension<ModelLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not found`);
  return within(ext.activate(), 120_000, 'extension activation');
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open (the runners open examples/)');
  return folder.uri.fsPath;
}

/** An example file's absolute path (relative to examples/), which must exist. */
export function example(rel: string): string {
  const p = path.join(workspaceRoot(), rel);
  assert.ok(fs.existsSync(p), `example file missing: ${p}`);
  return p;
}

/**
 * Replaces vscode.window[name] (the tests share the extension's `vscode` API object, so the
 * extension's calls go through it) with `fake`, or records calls and passes them on. restore() puts it back.
 */
export function onWindow<K extends keyof typeof vscode.window>(name: K, fake?: (...args: unknown[]) => unknown): { calls: unknown[][]; restore(): void } {
  const win = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const original = win[name];
  const calls: unknown[][] = [];
  win[name] = (...args: unknown[]) => {
    calls.push(args);
    return fake ? fake(...args) : original.apply(vscode.window, args);
  };
  return { calls, restore: () => (win[name] = original) };
}

/** The view type's tabs in every editor group. */
export function webviewTabs(viewType: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes(viewType)));
}
