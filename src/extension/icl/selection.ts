/**
 * A few-shot prompt selected in an editor, as a spec file the engine can read: the template is
 * guessed from the prompt's lines (shared/icl/templateGuess.ts) or asked for, the labels read from
 * its demonstrations or asked for when they show fewer than two; the spec is written to the
 * extension's storage, described by where it came from ("Selection in notes.md, lines 3–12").
 * The last template and labels are remembered per workspace and tried first next time.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { IclSpec } from '../../protocol/icl';
import { LabelsNeeded, parsePrompt } from '../../shared/icl/parsePrompt';
import { SpecError } from '../../shared/icl/spec';
import { escapeTemplate, templateCandidates, unescapeTemplate } from '../../shared/icl/templateGuess';

const LAST_PROMPT_KEY = 'modelLens.icl.lastPrompt';

interface Remembered {
  template?: string;
  labels?: string[];
}

/** The spec file written for the editor's selection, and the panel's title; undefined when the user gave up. */
export async function specFromSelection(editor: vscode.TextEditor, dir: string, state: vscode.Memento): Promise<{ specPath: string; title: string } | undefined> {
  const { document, selection } = editor;
  const text = document.getText(selection);
  const remembered = state.get<Remembered>(LAST_PROMPT_KEY) ?? {};
  const candidates = [...new Set([remembered.template, ...templateCandidates(text)].filter((t): t is string => !!t))];
  let spec: IclSpec | undefined;
  let template = candidates.find((t) => parses(text, t) !== 'no');
  template ??= await askTemplate(text, candidates[0] ?? 'Review: {input}\nlabel: {label}\n');
  if (!template) return undefined;
  try {
    spec = parseSelection(text, template);
  } catch (err) {
    if (!(err instanceof LabelsNeeded)) throw err;
    const labels = await askLabels(err.seen, remembered.labels);
    if (!labels) return undefined;
    spec = parseSelection(text, template, labels);
  }
  await state.update(LAST_PROMPT_KEY, { template, labels: spec.labels } satisfies Remembered);

  const name = path.basename(document.uri.path) || 'untitled';
  const [first, last] = [selection.start.line + 1, selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1];
  const title = `selection in ${name} (lines ${first}–${last})`;
  const specPath = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}-lines-${first}-${last}.icl.json`);
  const file = { description: `Selection in ${name}, lines ${first}–${last}.`, ...spec };
  await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
  await vscode.workspace.fs.writeFile(vscode.Uri.file(specPath), Buffer.from(JSON.stringify(file, null, 2) + '\n'));
  return { specPath, title };
}

/**
 * parsePrompt on a selection, which may end with a complete demonstration whose template's
 * trailing newline was not selected (a selection usually stops at the end of its last line).
 */
function parseSelection(text: string, template: string, labels?: string[]): IclSpec {
  const options = labels ? { labels } : {};
  try {
    return parsePrompt(text, template, options);
  } catch (err) {
    const end = /\s*$/.exec(template)![0];
    if (!(err instanceof SpecError) || err instanceof LabelsNeeded || !end || text.endsWith(end)) throw err;
    return parsePrompt(text + end, template, options);
  }
}

/** Whether `template` reads the whole selection: 'yes', 'labels' (it does, but the labels must be named) or 'no'. */
function parses(text: string, template: string): 'yes' | 'labels' | 'no' {
  try {
    parseSelection(text, template);
    return 'yes';
  } catch (err) {
    if (err instanceof LabelsNeeded) return 'labels';
    if (err instanceof SpecError) return 'no';
    throw err;
  }
}

/** An input box for the template (newlines as \n), checked against the selection as it is typed. */
async function askTemplate(text: string, suggestion: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Model Lens: the template of the selected prompt',
    prompt: 'How one demonstration is formatted: {input}, then {label}; newlines as \\n. The query is the template cut before {label}.',
    value: escapeTemplate(suggestion),
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseSelection(text, unescapeTemplate(value));
        return undefined;
      } catch (err) {
        return err instanceof LabelsNeeded ? undefined : err instanceof Error ? err.message : String(err);
      }
    },
  });
  return typed === undefined ? undefined : unescapeTemplate(typed);
}

/** An input box for the labels in order (the flipped variant replaces each by the next). */
async function askLabels(seen: string[], remembered: string[] | undefined): Promise<string[] | undefined> {
  const split = (v: string) => [...new Set(v.split(',').map((l) => l.trim()).filter(Boolean))];
  const typed = await vscode.window.showInputBox({
    title: 'Model Lens: the labels of the selected prompt',
    prompt: `Its demonstrations show only ${seen.map((l) => `'${l}'`).join(', ')}: name every label, in order, comma-separated (flipping replaces each by the next).`,
    value: (remembered && seen.every((l) => remembered.includes(l)) ? remembered : [...seen, '']).join(', '),
    ignoreFocusOut: true,
    validateInput: (v) => (split(v).length >= 2 && seen.every((l) => split(v).includes(l)) ? undefined : `At least two labels, including ${seen.join(', ')}.`),
  });
  return typed === undefined ? undefined : split(typed);
}
