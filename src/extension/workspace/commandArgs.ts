/** What the commands that scripts may call share in reading their arguments: paths or URIs, and options objects. */
import * as path from 'path';
import * as vscode from 'vscode';

/** A path or URI argument as an absolute local path (undefined when absent). */
export function localPath(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const uri =
    value instanceof vscode.Uri ? value
    : typeof value === 'string' ? (/^[a-z][a-z0-9+.-]+:\/\//i.test(value) ? vscode.Uri.parse(value) : vscode.Uri.file(path.resolve(value)))
    : undefined;
  if (!uri) throw new Error(`${what} is not a file path or URI.`);
  if (uri.scheme !== 'file') throw new Error(`Model Lens reads files on disk; ${uri.toString()} is not a local file.`);
  return path.resolve(uri.fsPath);
}

/** An options object (not a URI, from the explorer, nor a list). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof vscode.Uri) && !('scheme' in v);
}
