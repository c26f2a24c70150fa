/**
 * Model Lens: Test Concepts (TCAV) — from the palette, the explorer (a concept folder, or a
 * model.json), a layer hover's link, or scripts:
 *   executeCommand('modelLens.testConcepts', folderUri, selectedUris)
 *   executeCommand('modelLens.testConcepts', { model, class, layers, concepts, conceptPaths, random, runs, alpha, bonferroni })
 * Asks for whatever is missing — the model (the one whose folder holds the concept folders, the
 * active panel's, or a quick pick), the class, the layers, the concepts (the sidecar's and chosen
 * ones; folders to add; an options object without them means every concept on offer, as the CLI
 * takes the sidecar's), the random examples when the sidecar names none — then runs TCAV in the
 * model panel's Concepts section. Resolves with the TcavResult, or undefined when the user
 * cancelled or the run failed (the panel and a notification say why).
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { TcavResult } from '../../protocol/concepts';
import type { ModelSummary } from '../../protocol/model';
import { checkSectionOptions } from '../../protocol/webview';
import { conceptLayers, defaultConceptLayers } from '../../shared/concepts';
import { EngineError } from '../engine/engineClient';
import type { ModelPanels } from '../modelPanel/modelPanels';
import { isModelFile } from '../explain/explainInput';
import { pickModel, workspaceModels } from '../workspace/pickModel';
import { isOptionsObject, localPath } from '../workspace/commandArgs';
import { requireTrust } from '../workspace/trust';
import type { ConceptTester, TcavPanelOptions } from './conceptSection';

export interface TestConceptsArgs {
  model?: string | vscode.Uri;
  /** A class index, or a label of the sidecar. */
  class?: number | string;
  layers?: string[];
  /** Concepts by name: the sidecar's, or chosen before. */
  concepts?: string[];
  /** Folders or files of concept examples to add (each named after itself) and test. */
  conceptPaths?: (string | vscode.Uri)[];
  /** Random examples for this run (default: the section's: chosen, else the sidecar's data.random). */
  random?: string | vscode.Uri;
  runs?: number;
  alpha?: number;
  bonferroni?: boolean;
}

interface Parsed extends Omit<TestConceptsArgs, 'model' | 'conceptPaths' | 'random'> {
  model?: string;
  conceptPaths: string[];
  random?: string;
  /** From a script or a link (an options object): concepts not given are every one on offer. */
  scripted: boolean;
}

const TITLE = 'Model Lens: Test Concepts (TCAV)';

export function testConceptsCommand(panels: ModelPanels, output: vscode.LogOutputChannel) {
  return async (first?: unknown, second?: unknown): Promise<TcavResult | undefined> => {
    if (!requireTrust('test concepts')) return undefined;
    try {
      const args = parseArgs(first, second);
      const model = args.model ?? (await modelHolding(args.conceptPaths)) ?? panels.active()?.modelPath ?? (await pickModel(TITLE, 'Which model?'))?.fsPath;
      if (!model) return undefined;
      const tester = await panels.open(model, { reload: false }).conceptTester();
      const summary = tester?.modelSummary();
      if (!tester || !summary) return undefined; // the panel shows why the model did not load
      const options = await askOptions(tester, summary, args);
      if (!options) return undefined;
      return await tester.run(options, { random: args.random });
    } catch (err) {
      // A failed run is already shown in the panel and a notification; cancelling is not a failure.
      if (err instanceof EngineError) return undefined;
      const message = err instanceof Error ? err.message : String(err);
      output.error(`Test Concepts: ${message}`);
      void vscode.window.showErrorMessage(`Model Lens: ${message}`);
      return undefined;
    }
  };
}

/** The run's options: the arguments', and the user's picks for what they leave out. Undefined when the user cancelled. */
async function askOptions(tester: ConceptTester, summary: ModelSummary, args: Parsed): Promise<TcavPanelOptions | undefined> {
  const cls = args.class !== undefined ? classIndex(summary, args.class) : await pickClass(summary);
  if (cls === undefined) return undefined;
  const layers = args.layers ?? (await pickLayers(summary));
  if (!layers?.length) return undefined;
  const added = args.conceptPaths.length ? await tester.addConcepts(args.conceptPaths) : [];
  const given = args.concepts || added.length ? [...(args.concepts ?? []), ...added] : undefined;
  const offered = tester.offeredConcepts().map((c) => c.name);
  const concepts = given ?? (args.scripted && offered.length ? offered : await pickConcepts(tester));
  if (!concepts?.length) return undefined;
  if (!args.random && !tester.randomPath() && !(await askRandom(tester))) return undefined;
  const raw = { method: 'tcav', class: cls, layers, concepts, runs: args.runs, alpha: args.alpha, bonferroni: args.bonferroni };
  const { options, problem } = checkSectionOptions('concepts', raw);
  if (!options) throw new Error(problem ?? 'invalid options');
  return options as TcavPanelOptions;
}

function parseArgs(first: unknown, second: unknown): Parsed {
  if (isOptions(first)) {
    const { model, conceptPaths, random, ...rest } = first;
    const out: Parsed = { ...rest, model: localPath(model, 'model'), conceptPaths: (conceptPaths ?? []).map((p) => localPath(p, 'a concept path')!), random: localPath(random, 'random'), scripted: true };
    if (out.model && !isModelFile(out.model)) throw new Error(`${out.model} is not a model.json.`);
    return out;
  }
  // From the explorer: the clicked resource and every selected one; a model.json is the model, the others are concepts.
  const selected = Array.isArray(second) && second.length ? second : first === undefined ? [] : [first];
  const out: Parsed = { conceptPaths: [], scripted: false };
  for (const p of selected.map((s) => localPath(s, 'a selected resource'))) {
    if (p && isModelFile(p)) out.model ??= p;
    else if (p) out.conceptPaths.push(p);
  }
  return out;
}

const isOptions = (v: unknown): v is TestConceptsArgs => isOptionsObject(v);

/** The workspace model whose folder is the nearest to hold every one of `paths` (none when two are as near). */
async function modelHolding(paths: string[]): Promise<string | undefined> {
  if (!paths.length) return undefined;
  const inside = (dir: string, p: string) => !path.relative(dir, p).startsWith('..') && !path.isAbsolute(path.relative(dir, p));
  const holders = (await workspaceModels()).map((u) => path.resolve(u.fsPath)).filter((m) => paths.every((p) => inside(path.dirname(m), p)));
  const depth = (m: string) => path.dirname(m).split(path.sep).length;
  const deepest = Math.max(...holders.map(depth));
  const nearest = holders.filter((m) => depth(m) === deepest);
  return nearest.length === 1 ? nearest[0] : undefined;
}

/** The classes of the first output, by the sidecar's labels. */
function classes(summary: ModelSummary): { index: number; label: string }[] {
  const head = summary.outputs[0];
  const n = head?.kind === 'sigmoid' ? 2 : (head?.shape.at(-1) ?? summary.sidecar.sidecar.labels?.length ?? 0);
  const labels = summary.sidecar.sidecar.labels ?? [];
  return Array.from({ length: Math.min(n ?? 0, 1000) }, (_, index) => ({ index, label: labels[index] ?? String(index) }));
}

/** A class argument as an index: a label of the sidecar, or an index within the output. */
function classIndex(summary: ModelSummary, given: number | string): number {
  const known = classes(summary);
  const byName = typeof given === 'string' && !/^\d+$/.test(given) ? known.find((c) => c.label === given) : known.find((c) => c.index === Number(given));
  if (!byName) {
    const list = known.slice(0, 30).map((c) => (c.label === String(c.index) ? c.label : `${c.index} ${c.label}`)).join(', ');
    throw new Error(`${JSON.stringify(given)} is not a class of ${vscode.workspace.asRelativePath(summary.path)}: its classes are ${list || 'unknown (its output has no class axis)'}.`);
  }
  return byName.index;
}

async function pickClass(summary: ModelSummary): Promise<number | undefined> {
  const items = classes(summary).map((c) => ({ label: c.label, description: c.label === String(c.index) ? undefined : `class ${c.index}`, index: c.index }));
  const picked = await vscode.window.showQuickPick(items, { title: TITLE, placeHolder: "Which class? TCAV measures how each concept moves this class's logit" });
  return picked?.index;
}

async function pickLayers(summary: ModelSummary): Promise<string[] | undefined> {
  const preset = new Set(defaultConceptLayers(summary));
  const items = conceptLayers(summary).map((l) => ({ label: l.name, description: `${l.className} [${(l.outputShape[0] ?? []).map((d) => d ?? '?').join(', ')}]`, picked: preset.has(l.name) }));
  const picked = await vscode.window.showQuickPick(items, { title: TITLE, placeHolder: 'Which layers? The concepts are read at each', canPickMany: true });
  return picked?.map((p) => p.label);
}

/** The concepts to test: those on offer (all picked), or folders to add; when there are none, says so and offers to add some. */
async function pickConcepts(tester: ConceptTester): Promise<string[] | undefined> {
  const offered = tester.offeredConcepts();
  if (!offered.length) {
    const choice = await vscode.window.showWarningMessage(
      "Model Lens: no concepts to test. The sidecar names none (data.concepts): add folders of concept examples, or name them in the sidecar.",
      'Add Concept Folders…',
      'Edit Sidecar',
    );
    if (choice === 'Edit Sidecar') await vscode.commands.executeCommand('modelLens.openSidecar', vscode.Uri.file(tester.modelSummary()!.path));
    return choice === 'Add Concept Folders…' ? tester.chooseData('concepts') : undefined;
  }
  type Item = vscode.QuickPickItem & { name?: string };
  const add: Item = { label: '$(folder-opened) Add concept folders…', alwaysShow: true };
  const items: Item[] = [...offered.map((c) => ({ label: c.name, description: vscode.workspace.asRelativePath(c.path), detail: c.source === 'sidecar' ? 'from the sidecar' : 'chosen before', picked: true, name: c.name })), add];
  const picked = await vscode.window.showQuickPick(items, { title: TITLE, placeHolder: 'Which concepts?', canPickMany: true });
  if (!picked) return undefined;
  const names = picked.filter((p) => p.name).map((p) => p.name!);
  const more = picked.includes(add) ? ((await tester.chooseData('concepts')) ?? []) : [];
  return [...new Set([...names, ...more])];
}

/** No random examples: say so, and offer to choose them or edit the sidecar. Resolves true once there are some. */
async function askRandom(tester: ConceptTester): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    'Model Lens: TCAV compares each concept with random examples, and the sidecar names none (data.random): choose a folder of random sets (or one pool of examples), or name it in the sidecar.',
    'Choose Random Examples…',
    'Edit Sidecar',
  );
  if (choice === 'Edit Sidecar') await vscode.commands.executeCommand('modelLens.openSidecar', vscode.Uri.file(tester.modelSummary()!.path));
  return choice === 'Choose Random Examples…' && !!(await tester.chooseData('random'));
}
