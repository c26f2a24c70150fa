/**
 * Hover previews: over a string literal naming an image or a *model.json (relative to the document's
 * folder or a workspace folder), show the latest attribution cached for it — thumbnail, method,
 * target class and probability, the one-line summary — and a command link to explain it.
 * Hovers never start computation: they read the cache and stat one file.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { escapeMarkdown as escape, inlineCode as code } from '../../shared/markdown';
import { METHOD_NAMES } from '../../shared/methods';
import type { AttributionCache, CachedAttribution } from './attributionCache';
import { isImageFile, isModelFile, type ExplainArgs } from './explainInput';

const MAX_LITERAL = 1024;

export class AttributionHoverProvider implements vscode.HoverProvider {
  constructor(private readonly cache: AttributionCache) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const line = document.lineAt(position.line).text;
    if (line.length > 10_000) return undefined;
    const literal = stringLiteralAt(line, position.character);
    if (!literal) return undefined;
    const text = literal.value.trim();
    if (!text || text.length > MAX_LITERAL || !(isImageFile(text) || isModelFile(text))) return undefined;
    const file = await resolveFile(text, document, token);
    if (!file || token.isCancellationRequested) return undefined;
    const model = isModelFile(file);
    const cached = model ? this.cache.forModel(file) : this.cache.forInput(file);
    const range = new vscode.Range(position.line, literal.start, position.line, literal.end);
    return new vscode.Hover(hoverMarkdown(file, model, cached), range);
  }
}

function hoverMarkdown(file: string, isModel: boolean, cached: CachedAttribution | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['modelLens.explainInput'] };
  md.supportHtml = true; // only <br> inside the table; everything from the model is escaped
  const args: ExplainArgs = isModel ? { model: file } : { input: file };
  if (cached) {
    const r = cached.result;
    const method = METHOD_NAMES[r.method] ?? r.method;
    const label = r.targetLabel && r.targetLabel !== String(r.target) ? `${r.target} (${r.targetLabel})` : String(r.target);
    const lines = [
      `**Model Lens** · ${escape(method)}${r.layer ? ` · ${escape(r.layer)}` : ''}`,
      `Target class **${escape(label)}** · p = ${r.targetProbability !== undefined ? `${(r.targetProbability * 100).toFixed(1)}%` : `value ${r.targetValue}`}`,
      isModel ? `input ${code(path.basename(cached.inputPath))}` : `model ${code(vscode.workspace.asRelativePath(cached.modelPath))}`,
      r.summary ? escape(r.summary) : '',
      [r.completenessDelta !== undefined ? `completeness Δ ${r.completenessDelta.toExponential(2)}` : '', `${Math.round(r.ms)} ms on ${r.backend}`].filter(Boolean).join(' · '),
    ].filter(Boolean);
    if (cached.thumbnail) {
      // Thumbnail left, facts right: a one-row table keeps the hover short. Inside a table cell the
      // image's "|width=…" suffix needs its pipe escaped.
      md.appendMarkdown(`| | |\n|:-|:-|\n| ![${escape(method)} attribution](${cached.thumbnail.toString()}\\|width=112,height=112) | ${lines.join('<br>')} |\n\n`);
    } else {
      md.appendMarkdown(lines.join('\n\n') + '\n\n');
    }
    if (!isModel) args.model = cached.modelPath;
    else args.input = cached.inputPath;
    // The link runs the cached result's method again (with that method's defaults), and says so.
    args.options = { method: cached.result.method };
  }
  const link = `command:modelLens.explainInput?${encodeURIComponent(JSON.stringify([args]))}`;
  const rerun = cached ? METHOD_NAMES[cached.result.method] ?? cached.result.method : undefined;
  const title = rerun ? `Run ${rerun} again` : isModel ? 'Choose an input and explain it with this model' : 'Choose a model and explain this input';
  md.appendMarkdown(`[$(telescope) Explain with Model Lens](${link} "${title}")`);
  return md;
}

/** The quoted string ("…", '…' or `…`) on `line` that contains character `ch`, quotes excluded. */
export function stringLiteralAt(line: string, ch: number): { value: string; start: number; end: number } | undefined {
  let i = 0;
  while (i < line.length) {
    const quote = line[i];
    if (quote !== '"' && quote !== "'" && quote !== '`') {
      i++;
      continue;
    }
    let j = i + 1;
    let value = '';
    while (j < line.length && line[j] !== quote) {
      if (line[j] === '\\' && j + 1 < line.length) {
        value += line[j + 1];
        j += 2;
      } else value += line[j++];
    }
    if (j >= line.length) return undefined; // unterminated
    if (ch > i && ch <= j) return { value, start: i + 1, end: j };
    if (ch <= i) return undefined;
    i = j + 1;
  }
  return undefined;
}

async function resolveFile(text: string, document: vscode.TextDocument, token: vscode.CancellationToken): Promise<string | undefined> {
  const candidates: string[] = [];
  if (path.isAbsolute(text)) candidates.push(text);
  else {
    if (document.uri.scheme === 'file') candidates.push(path.resolve(path.dirname(document.uri.fsPath), text));
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme === 'file') candidates.push(path.resolve(folder.uri.fsPath, text));
    }
  }
  for (const candidate of [...new Set(candidates)]) {
    if (token.isCancellationRequested) return undefined;
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(candidate));
      if (stat.type & vscode.FileType.File) return candidate;
    } catch {
      /* not there: try the next folder */
    }
  }
  return undefined;
}

