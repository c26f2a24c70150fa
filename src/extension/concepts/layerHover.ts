/**
 * Hovers on layer names: over a string literal in Python, TypeScript or JavaScript that names a
 * layer of a known model (`name: 'conv2'`, `get_layer("conv2")`), show that layer's class, output
 * shape and parameters, its latest TCAV scores and probe, and a link to test concepts there.
 * Models with scores for the layer come first, then loaded ones, then the nearest to the document.
 * Hovers never start computation: they read what runs left behind and the models' topologies.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { stringLiteralAt } from '../explain/attributionHover';
import type { ConceptScores } from './conceptScores';
import type { LayerIndex, LayerMatch } from './layerIndex';
import { layerHoverMarkdown } from './layerHoverText';
import type { TestConceptsArgs } from './testConcepts';

export const LAYER_HOVER_LANGUAGES = ['python', 'typescript', 'javascript', 'typescriptreact', 'javascriptreact'];

/** At most this many models in one hover. */
const MAX_MODELS = 3;
const MAX_NAME = 256;

export class LayerHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly layers: LayerIndex,
    private readonly scores: ConceptScores,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    if (!vscode.workspace.isTrusted) return undefined;
    const line = document.lineAt(position.line).text;
    if (line.length > 10_000) return undefined;
    const literal = stringLiteralAt(line, position.character);
    const name = literal?.value;
    if (!literal || !name || name.length > MAX_NAME) return undefined;
    const matches = await this.layers.find(name, token);
    if (!matches.length || token.isCancellationRequested) return undefined;
    const ranked = this.rank(matches, document.uri).slice(0, MAX_MODELS);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: ['modelLens.testConcepts'] };
    md.appendMarkdown(
      ranked
        .map((match) => {
          const scores = this.scores.get(match.modelPath, name);
          const args: TestConceptsArgs = { model: match.modelPath, layers: [name] };
          return layerHoverMarkdown({
            match,
            scores,
            modelLabel: vscode.workspace.asRelativePath(match.modelPath),
            probeLabel: scores?.probe && vscode.workspace.asRelativePath(scores.probe.data),
            testLink: `command:modelLens.testConcepts?${encodeURIComponent(JSON.stringify([args]))}`,
          });
        })
        .join('\n\n---\n\n'),
    );
    return new vscode.Hover(md, new vscode.Range(position.line, literal.start, position.line, literal.end));
  }

  /** Models with scores for the layer (the newest first), then loaded ones, then those nearest to the document. */
  private rank(matches: LayerMatch[], document: vscode.Uri): LayerMatch[] {
    const newest = (m: LayerMatch) => {
      const s = this.scores.get(m.modelPath, m.layer.name);
      return Math.max(s?.tcav?.at ?? 0, s?.probe?.at ?? 0);
    };
    const shared = (m: LayerMatch) => commonPrefix(path.dirname(m.modelPath), path.dirname(document.fsPath));
    return [...matches].sort((a, b) => newest(b) - newest(a) || Number(b.loaded) - Number(a.loaded) || shared(b) - shared(a));
  }
}

/** How many leading path segments two folders share. */
function commonPrefix(a: string, b: string): number {
  const [x, y] = [a.split(path.sep), b.split(path.sep)];
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
