/**
 * What a model's Concepts section runs on: its concepts (the sidecar's data.concepts, then folders
 * or files the user chose), the random sets TCAV compares them with (chosen, else the sidecar's
 * data.random) and the labelled data its linear probes read (chosen, else the sidecar's data.test
 * or data.train, labelled by class). Choices are remembered per model in the workspace's state;
 * the webview names concepts by name only, and every path comes from here.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import type { ConceptSource } from '../../protocol/concepts';
import type { ModelSummary } from '../../protocol/model';
import type { ConceptChoice, DataChoice } from '../../protocol/webview';
import { EngineError } from '../engine/engineClient';

const STATE_KEY = 'modelLens.conceptData';
const MAX_REMEMBERED = 100;
const MAX_CONCEPTS = 100;

interface Chosen {
  concepts: ConceptSource[];
  random?: string;
  probeData?: string;
}

/** Where a piece of data comes from, with its absolute path when there is one. */
export interface DataSource {
  source: DataChoice['source'];
  path?: string;
}

export type ConceptDataKind = 'concepts' | 'random' | 'probeData';

export class ConceptData {
  constructor(
    private readonly modelPath: string,
    private readonly state: vscode.Memento,
  ) {}

  private chosen(): Chosen {
    return this.state.get<Record<string, Chosen>>(STATE_KEY, {})[this.modelPath] ?? { concepts: [] };
  }

  private async remember(update: (c: Chosen) => Chosen): Promise<void> {
    const map = { ...this.state.get<Record<string, Chosen>>(STATE_KEY, {}) };
    const next = update(this.chosen());
    delete map[this.modelPath];
    map[this.modelPath] = next;
    const keys = Object.keys(map);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_REMEMBERED))) delete map[old];
    await this.state.update(STATE_KEY, map);
  }

  /** The sidecar's concepts (absolute paths), then the chosen ones. */
  concepts(summary: ModelSummary | undefined): (ConceptSource & { source: ConceptChoice['source'] })[] {
    const dir = summary?.sidecar.path ? path.dirname(summary.sidecar.path) : undefined;
    const named = dir ? Object.entries(summary!.sidecar.sidecar.data?.concepts ?? {}).map(([name, rel]) => ({ name, path: path.resolve(dir, rel), source: 'sidecar' as const })) : [];
    const chosen = this.chosen().concepts.filter((c) => !named.some((n) => n.name === c.name)).map((c) => ({ ...c, source: 'chosen' as const }));
    return [...named, ...chosen];
  }

  random(summary: ModelSummary | undefined): DataSource {
    return this.pick(this.chosen().random, sidecarPath(summary, summary?.sidecar.sidecar.data?.random));
  }

  /** The probes' labelled data: chosen, else the sidecar's test set, else its training set (labelled by class). */
  probeData(summary: ModelSummary | undefined): DataSource {
    const data = summary?.sidecar.sidecar.data;
    return this.pick(this.chosen().probeData, sidecarPath(summary, data?.test ?? data?.train));
  }

  private pick(chosen: string | undefined, sidecar: string | undefined): DataSource {
    if (chosen) return { source: 'chosen', path: chosen };
    return sidecar ? { source: 'sidecar', path: sidecar } : { source: 'none' };
  }

  /** The concepts of `names` with their paths; a name the section does not offer is a BAD_REQUEST. */
  resolve(summary: ModelSummary | undefined, names: string[]): ConceptSource[] {
    const offered = this.concepts(summary);
    return names.map((name) => {
      const found = offered.find((c) => c.name === name);
      if (!found) throw new EngineError('BAD_REQUEST', `No concept named '${name}': ${offered.length ? `the section offers ${offered.map((c) => c.name).join(', ')}` : 'the sidecar names none (data.concepts) and none was chosen'}.`);
      return { name: found.name, path: found.path };
    });
  }

  /** What the webview shows: names and paths relative to the workspace. */
  message(summary: ModelSummary | undefined): { concepts: ConceptChoice[]; random: DataChoice; probeData: DataChoice } {
    const label = (p: string) => vscode.workspace.asRelativePath(p, false);
    const choice = (d: DataSource): DataChoice => (d.path ? { source: d.source, label: label(d.path) } : { source: d.source });
    return {
      concepts: this.concepts(summary).map((c) => ({ name: c.name, label: label(c.path), source: c.source })),
      random: choice(this.random(summary)),
      probeData: choice(this.probeData(summary)),
    };
  }

  /**
   * Adds concept folders or files (each named after its file name, made unique), keeping those
   * already offered; resolves with the names of the given paths.
   */
  async addConcepts(summary: ModelSummary | undefined, paths: string[]): Promise<string[]> {
    const offered = this.concepts(summary);
    const added: ConceptSource[] = [];
    const names: string[] = [];
    for (const p of paths.map((x) => path.resolve(x))) {
      const known = [...offered, ...added].find((c) => c.path === p);
      if (known) {
        names.push(known.name);
        continue;
      }
      const base = path.basename(p, path.extname(p)).replace(/\p{Cc}/gu, '').slice(0, 200) || 'concept';
      let name = base;
      for (let i = 2; [...offered, ...added].some((c) => c.name === name); i++) name = `${base} (${i})`;
      added.push({ name, path: p });
      names.push(name);
    }
    if (added.length) await this.remember((c) => ({ ...c, concepts: [...c.concepts, ...added].slice(-MAX_CONCEPTS) }));
    return names;
  }

  async removeConcept(name: string): Promise<boolean> {
    if (!this.chosen().concepts.some((c) => c.name === name)) return false;
    await this.remember((c) => ({ ...c, concepts: c.concepts.filter((x) => x.name !== name) }));
    return true;
  }

  /** A dialog for `what`; resolves with the concepts' names added (concepts) or the path chosen, or undefined when cancelled. */
  async choose(summary: ModelSummary | undefined, what: ConceptDataKind): Promise<string[] | undefined> {
    const dialog = DIALOGS[what];
    const picked = await vscode.window.showOpenDialog({
      title: dialog.title,
      openLabel: dialog.openLabel,
      canSelectFolders: true,
      canSelectFiles: true,
      canSelectMany: what === 'concepts',
      defaultUri: vscode.Uri.file(path.dirname(this.modelPath)),
    });
    if (!picked?.length) return undefined;
    const remote = picked.find((u) => u.scheme !== 'file');
    if (remote) {
      void vscode.window.showErrorMessage(`Model Lens reads data on disk; ${remote.toString()} is not a local folder or file.`);
      return undefined;
    }
    const paths = picked.map((u) => path.resolve(u.fsPath));
    if (what === 'concepts') return this.addConcepts(summary, paths);
    await this.remember((c) => ({ ...c, [what]: paths[0] }));
    return paths;
  }
}

const DIALOGS: Record<ConceptDataKind, { title: string; openLabel: string }> = {
  concepts: {
    title: 'Model Lens: choose concept examples (folders of images, or CSV / JSONL / tensor JSON files; one concept each)',
    openLabel: 'Use as concepts',
  },
  random: {
    title: 'Model Lens: choose the random examples (a folder of random sets, or one pool of examples)',
    openLabel: 'Use as random examples',
  },
  probeData: {
    title: 'Model Lens: choose labelled data for the probes (an image folder with a sub-folder per label, or CSV / JSONL / tensor JSON)',
    openLabel: 'Probe with this data',
  },
};

function sidecarPath(summary: ModelSummary | undefined, rel: string | undefined): string | undefined {
  const file = summary?.sidecar.path;
  return file && rel ? path.resolve(path.dirname(file), rel) : undefined;
}
