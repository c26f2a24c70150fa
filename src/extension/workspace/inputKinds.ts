/**
 * Which files a model can take as its input, by kind: images for image models, CSV rows for
 * tabular ones, text for text models, tensor JSON for the rest. Pickers offer only those.
 */
import type { InputKind, ModelSummary } from '../../protocol/model';

/** File extensions of each input kind (lower case, without the dot). */
export const INPUT_EXTENSIONS: Record<InputKind, readonly string[]> = {
  image: ['png', 'jpg', 'jpeg'],
  tabular: ['csv'],
  text: ['txt'],
  tensor: ['json'],
};

const NAMES: Record<InputKind, string> = { image: 'Images', tabular: 'CSV rows', text: 'Text', tensor: 'Tensor JSON' };

/** The input kind a file's extension says (tensor JSON for anything else). */
export function inputKindOf(file: string): InputKind {
  const ext = /\.([^./\\]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  return (Object.keys(INPUT_EXTENSIONS) as InputKind[]).find((k) => INPUT_EXTENSIONS[k].includes(ext)) ?? 'tensor';
}

/** The kind of input the model takes: its sidecar's (or the one inferred from its input shape); undefined when unknown. */
export function modelInputKind(summary: ModelSummary | undefined): InputKind | undefined {
  return summary?.sidecar.sidecar.input?.kind;
}

/** Whether a file can be the model's input (any file when the model's kind is unknown). */
export function fitsModel(file: string, kind: InputKind | undefined): boolean {
  return !kind || inputKindOf(file) === kind;
}

/** A findFiles glob of the files of `kind` (every kind when unknown). */
export function inputGlob(kind: InputKind | undefined): string {
  const exts = kind ? INPUT_EXTENSIONS[kind] : Object.values(INPUT_EXTENSIONS).flat();
  // Both cases: findFiles matches case-sensitively.
  return `**/*.{${[...exts, ...exts.map((e) => e.toUpperCase())].join(',')}}`;
}

/** Open-dialog filters: the model's kind first, then all files. */
export function inputFilters(kind: InputKind | undefined): Record<string, string[]> {
  const kinds = kind ? [kind] : (Object.keys(INPUT_EXTENSIONS) as InputKind[]);
  return { ...Object.fromEntries(kinds.map((k) => [`${NAMES[k]} (${INPUT_EXTENSIONS[k].join(', ')})`, [...INPUT_EXTENSIONS[k]]])), 'All files': ['*'] };
}
