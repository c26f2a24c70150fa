/**
 * What a workspace model takes, as its sidecar says (input kind, tabular features, the data files
 * it names), and which models a CSV belongs to: pure, so the CodeLens and command logic is tested
 * without VS Code.
 */
import * as path from 'path';
import type { InputKind } from '../../protocol/model';
import { cellProblem } from '../../shared/csv';

export interface CatalogModel {
  modelPath: string;
  kind?: InputKind;
  /** Tabular: the CSV columns the model reads, in its order. */
  features?: string[];
  /** Absolute paths of the files the sidecar names as data: data.train, data.test and data.samples. */
  dataFiles: string[];
}

/** The sidecar's path for a checkpoint: `<name>.lens.json` beside `<name>.json`. */
export function sidecarOf(modelPath: string): string {
  return path.join(path.dirname(modelPath), `${path.basename(modelPath, '.json')}.lens.json`);
}

const KINDS: readonly InputKind[] = ['image', 'tabular', 'text', 'tensor'];

/** A model and its sidecar's JSON (anything: a sidecar that does not parse gives a model of unknown kind). */
export function catalogEntry(modelPath: string, sidecar: unknown): CatalogModel {
  const entry: CatalogModel = { modelPath, dataFiles: [] };
  if (typeof sidecar !== 'object' || sidecar === null) return entry;
  const { input, data } = sidecar as { input?: { kind?: unknown; features?: unknown }; data?: { train?: unknown; test?: unknown; samples?: unknown } };
  if (KINDS.includes(input?.kind as InputKind)) entry.kind = input!.kind as InputKind;
  if (Array.isArray(input?.features) && input.features.every((f) => typeof f === 'string')) entry.features = input.features as string[];
  const named = [data?.train, data?.test, ...(Array.isArray(data?.samples) ? data.samples : [])];
  entry.dataFiles = named.filter((p): p is string => typeof p === 'string' && p !== '').map((p) => path.resolve(path.dirname(modelPath), p));
  return entry;
}

/**
 * The tabular models a CSV belongs to: those whose sidecar names the file first, then those whose
 * features are all columns of its header.
 */
export function modelsTakingCsv(models: CatalogModel[], file: string, header: string[]): CatalogModel[] {
  const tabular = models.filter((m) => m.kind === 'tabular');
  const target = path.resolve(file);
  const named = tabular.filter((m) => m.dataFiles.includes(target));
  const columns = new Set(header.map((h) => h.trim()));
  const matching = tabular.filter((m) => !named.includes(m) && !!m.features?.length && m.features.every((f) => columns.has(f)));
  return [...named, ...matching];
}

/** Why a CSV row cannot be the model's input (a missing column, a cell that is not a number), or null when it can. */
export function rowProblem(model: CatalogModel, header: string[], cells: string[]): string | null {
  const features = model.features ?? [];
  const missing = features.filter((f) => !header.includes(f));
  if (missing.length) return `its header lacks the feature column${missing.length > 1 ? 's' : ''} ${missing.map((f) => `"${f}"`).join(', ')}`;
  for (const f of features) {
    const problem = cellProblem(cells[header.indexOf(f)] ?? '');
    if (problem) return `column "${f}": ${problem}`;
  }
  return null;
}
