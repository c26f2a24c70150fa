/** Reads `<name>.lens.json` beside a checkpoint, or infers what it can from the model's input shape. */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import schema from '../../../media/lens.schema.json';
import type { OutputSpec, Sidecar, SidecarInfo, TensorSpec } from '../../protocol/model';
import { LensError } from '../errors';

// verbose: errors carry their schema, so an unknown key can be matched against the keys allowed there.
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile<Sidecar>(schema);

export function sidecarPath(modelFile: string): string {
  return path.join(path.dirname(modelFile), `${path.basename(modelFile, '.json')}.lens.json`);
}

export function readSidecar(
  modelFile: string,
  specs: { inputs: TensorSpec[]; outputs: TensorSpec[] },
): { info: SidecarInfo; warnings: string[] } {
  const file = sidecarPath(modelFile);
  const name = path.basename(file);
  const warnings: string[] = [];
  let found: Sidecar | null = null;
  let error: string | undefined;
  if (fs.existsSync(file)) {
    try {
      found = parse(fs.readFileSync(file, 'utf8'), name);
    } catch (err) {
      // Never a silent fallback: requests that read the sidecar refuse to run (requireSidecar).
      error = (err as Error).message;
      warnings.push(`${error} Settings are inferred until it is fixed; predict, saliency and influence refuse to run without it.`);
    }
  }
  const sidecar = found ?? infer(specs.inputs);
  warnings.push(...consistency(sidecar, specs, path.dirname(file), name));
  return { info: { path: found ? file : null, sidecar, missing: missing(found, sidecar, name), ...(error ? { error } : {}) }, warnings };
}

/** Throws INVALID_SIDECAR when the sidecar beside the model could not be read: requests that use it must not run on guesses. */
export function requireSidecar(info: SidecarInfo): void {
  if (info.error) throw new LensError('INVALID_SIDECAR', `${info.error} Fix it (or move it away to run on inferred settings).`);
}

/** Parses and validates sidecar text; throws an Error whose message names the offending field. */
export function parse(text: string, name: string): Sidecar {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${name} is not valid JSON (${(err as Error).message}).`);
  }
  if (!validate(value)) {
    const errors = validate.errors ?? [];
    const first = errors.find((e) => e.keyword === 'additionalProperties') ?? errors[0];
    const where = first?.instancePath || '/';
    if (first?.keyword === 'additionalProperties') {
      const key = String(first.params.additionalProperty);
      const allowed = Object.keys((first.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, allowed);
      const hint = guess ? ` — did you mean '${guess}'?` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      throw new Error(`${name}: unknown key '${key}' at ${where}${hint}`);
    }
    const choices = first?.keyword === 'enum' ? `: ${(first.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
    throw new Error(`${name}: ${where} ${first?.message}${choices}.`);
  }
  return value;
}

/** The allowed key nearest to a misspelt one (at most a third of its letters off), or undefined. */
function closest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(key.length / 3)) + 1;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, transpositions counted once (Damerau's restricted form). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Without a sidecar: rank-4 inputs with 1 or 3 channels are images, rank-2 float inputs are tabular. */
function infer(inputs: TensorSpec[]): Sidecar {
  const shape = inputs[0]?.shape ?? [];
  const channels = shape[3];
  if (shape.length === 4 && (channels === 1 || channels === 3) && shape[1] && shape[2]) {
    // Integer image inputs take raw 0–255 pixel values.
    return { input: { kind: 'image', size: [shape[1], shape[2]], channels, scale: inputs[0].dtype === 'int32' ? 1 : 1 / 255 } };
  }
  if (shape.length === 2 && inputs[0].dtype === 'int32') return { input: { kind: 'text' } };
  if (shape.length === 2) return { input: { kind: 'tabular' } };
  return { input: { kind: 'tensor' } };
}

/** A warning for each head whose labels do not match its classes (a sigmoid unit has two). */
export function labelWarnings(outputs: OutputSpec[], labelsOf: (index: number) => string[] | undefined, name: string): string[] {
  return outputs.flatMap((o, i) => {
    const labels = labelsOf(i);
    const units = o.shape.slice(1).reduce<number>((n, d) => n * (d ?? 1), 1);
    const classes = o.kind === 'sigmoid' ? 2 : units;
    if (!labels || o.kind === 'regression' || labels.length === classes) return [];
    const head = outputs.length > 1 ? ` for output '${o.name}'` : '';
    return [`${name} lists ${labels.length} labels${head} but ${o.kind === 'sigmoid' ? 'a sigmoid unit has 2 classes' : `the model has ${classes} outputs`}.`];
  });
}

function missing(found: Sidecar | null, sidecar: Sidecar, name: string): string[] {
  const out: string[] = [];
  if (!found) out.push(`No ${name}: input kind and preprocessing are inferred from the input shape (${sidecar.input?.kind}).`);
  if (!sidecar.labels) out.push('Class labels: outputs are shown as indices.');
  if (!sidecar.data?.train) out.push('Training data (data.train): needed for influence analyses.');
  if (sidecar.input?.kind === 'tabular' && !sidecar.input.features) out.push('Feature names (input.features): CSV columns are taken in file order.');
  return out;
}

function consistency(sidecar: Sidecar, specs: { inputs: TensorSpec[]; outputs: TensorSpec[] }, dir: string, name: string): string[] {
  const warnings: string[] = [];
  const heads = new Set(specs.outputs.flatMap((o, i) => [o.name, String(i)]));
  for (const key of Object.keys(sidecar.outputs ?? {})) {
    if (!heads.has(key)) warnings.push(`${name} sets outputs['${key}'], but the model has no such output: ${specs.outputs.map((o) => o.name).join(', ')}.`);
  }
  const features = specs.inputs[0]?.shape.at(-1);
  const given = sidecar.input?.features;
  if (given && features && specs.inputs[0].shape.length === 2 && given.length !== features) {
    warnings.push(`${name} lists ${given.length} features but the model takes ${features}.`);
  }
  warnings.push(...constraintNames(sidecar, name));
  const data = sidecar.data ?? {};
  const checkpoints = (data.checkpoints ?? []).map((c) => c.path);
  for (const rel of [data.train, data.test, ...(data.samples ?? []), ...Object.values(data.concepts ?? {}), data.random, ...checkpoints]) {
    if (rel && !fs.existsSync(path.resolve(dir, rel))) warnings.push(`${name} names '${rel}', which does not exist.`);
  }
  return warnings;
}

/** Counterfactual constraints and one-hot groups that name columns input.features does not list. */
function constraintNames(sidecar: Sidecar, name: string): string[] {
  const features = sidecar.input?.features;
  if (!features) return [];
  const named = [...Object.keys(sidecar.input?.constraints ?? {}), ...(sidecar.input?.categorical ?? []).flat()];
  return [...new Set(named.filter((f) => !features.includes(f)))].map((f) => `${name}'s input.constraints or input.categorical names '${f}', which is not in input.features.`);
}
