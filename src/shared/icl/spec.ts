/**
 * Reading an ICL prompt spec (`*.icl.json`): JSON, the schema (protocol/icl.ts), then what a schema
 * cannot say (every label one of `labels`). Each error is one line naming the field, e.g.
 * `sentiment.icl.json: demonstrations[2]: missing field 'label'`.
 */
import type { z } from 'zod';
import { iclSpecSchema, type IclSpec, type IclVariant } from '../../protocol/icl';

export class SpecError extends Error {
  override name = 'SpecError';
}

/** `demonstrations[2].label` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

function describe(issue: z.core.$ZodIssue, value: unknown): string {
  const where = fieldPath(issue.path);
  if (issue.code === 'unrecognized_keys') return `${where || 'the spec'}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  if (issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined) {
    const parent = fieldPath(issue.path.slice(0, -1));
    return `${parent || 'the spec'}: missing field '${String(issue.path.at(-1))}'`;
  }
  return `${where || 'the spec'}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
}

/** The spec in `text` (named `name` in messages), checked; throws SpecError. */
export function parseSpec(text: string, name: string): IclSpec {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new SpecError(`${name} is not valid JSON (${(err as Error).message}).`);
  }
  return checkSpec(value, name);
}

/** A spec value (parsed JSON, or one built from a selected prompt) checked against the schema and its labels. */
export function checkSpec(value: unknown, name: string): IclSpec {
  const result = iclSpecSchema.safeParse(value);
  if (!result.success) throw new SpecError(`${name}: ${describe(result.error.issues[0], value)}.`);
  const spec = result.data;
  const known = (label: string, where: string) => {
    if (!spec.labels.includes(label)) throw new SpecError(`${name}: ${where} '${label}' is not one of labels (${spec.labels.join(', ')}).`);
  };
  spec.demonstrations.forEach((d, i) => known(d.label, `demonstrations[${i}].label`));
  spec.queries.forEach((q, i) => q.label !== undefined && known(q.label, `queries[${i}].label`));
  return spec;
}

/** The demonstration field each variant needs. */
const NEEDS: Partial<Record<IclVariant, 'neutral' | 'explanation'>> = { neutral: 'neutral', explained: 'explanation' };

/**
 * Checks that the spec has what the variants need (every demonstration's neutral text or
 * explanation) and that flipCount fits, before any prompt is sent.
 */
export function checkVariants(spec: IclSpec, variants: readonly IclVariant[], name: string, flipCount?: number): void {
  for (const variant of variants) {
    const field = NEEDS[variant];
    const missing = field ? spec.demonstrations.findIndex((d) => d[field] === undefined) : -1;
    if (field && missing >= 0) throw new SpecError(`${name}: demonstrations[${missing}] has no '${field}': the ${variant} variant needs one in every demonstration.`);
  }
  if (flipCount !== undefined && !variants.includes('flipped')) throw new SpecError('flipCount applies to the flipped variant, which is not among the variants.');
  if (flipCount !== undefined && flipCount > spec.demonstrations.length) {
    throw new SpecError(`flipCount ${flipCount} is more than the spec's ${spec.demonstrations.length} demonstrations.`);
  }
}
