/** Reads `<name>.lens.json` beside a checkpoint, or infers what it can from the model's input shape. */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import schema from '../../../media/lens.schema.json';
import type { Sidecar, SidecarInfo, TensorSpec } from '../../protocol/model';

const validate = new Ajv({ allErrors: true, strict: false }).compile<Sidecar>(schema);

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
  if (fs.existsSync(file)) {
    try {
      found = parse(fs.readFileSync(file, 'utf8'), name);
    } catch (err) {
      warnings.push(`${(err as Error).message} Using inferred settings instead.`);
    }
  }
  const sidecar = found ?? infer(specs.inputs);
  warnings.push(...consistency(sidecar, specs, path.dirname(file), name));
  return { info: { path: found ? file : null, sidecar, missing: missing(found, sidecar, name) }, warnings };
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
    const first = validate.errors?.[0];
    const where = first?.instancePath || '/';
    const detail = first?.keyword === 'additionalProperties' ? `unknown field '${String(first.params.additionalProperty)}'` : first?.message;
    throw new Error(`${name}: ${where} ${detail}.`);
  }
  return value;
}

/** Without a sidecar: rank-4 inputs with 1 or 3 channels are images, rank-2 float inputs are tabular. */
function infer(inputs: TensorSpec[]): Sidecar {
  const shape = inputs[0]?.shape ?? [];
  const channels = shape[3];
  if (shape.length === 4 && (channels === 1 || channels === 3) && shape[1] && shape[2]) {
    return { input: { kind: 'image', size: [shape[1], shape[2]], channels, scale: 1 / 255 } };
  }
  if (shape.length === 2 && inputs[0].dtype === 'int32') return { input: { kind: 'text' } };
  if (shape.length === 2) return { input: { kind: 'tabular' } };
  return { input: { kind: 'tensor' } };
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
  const classes = specs.outputs[0]?.shape.at(-1);
  if (sidecar.labels && classes && sidecar.labels.length !== classes) {
    warnings.push(`${name} lists ${sidecar.labels.length} labels but the model has ${classes} outputs.`);
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
