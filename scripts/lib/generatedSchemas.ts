/**
 * What the option schemas (src/protocol/options) decide outside the code: the memory-budget
 * setting's default and bounds in package.json, the learning-rate bounds of the sidecar's
 * data.checkpoints in media/lens.schema.json, and the whole ICL prompt spec schema
 * media/icl.schema.json (from src/protocol/icl.ts). `npm run generate` writes them; a unit test
 * fails when a file disagrees, so each bound and default is stated once.
 */
import { z } from 'zod';
import { lineJson } from './json';
import { fieldSpecs } from '../../src/protocol/options';
import { learningRateSchema } from '../../src/protocol/options/influence';
import { iclSpecSchema } from '../../src/protocol/icl';

/** package.json's modelLens.memoryBudgetMB: the saliency option memoryBudgetMB. */
export function memoryBudgetSetting(): { default: number; minimum: number; maximum: number } {
  const spec = fieldSpecs('saliency').find((f) => f.key === 'memoryBudgetMB');
  if (!spec || typeof spec.default !== 'number' || spec.min === undefined || spec.max === undefined) throw new Error('memoryBudgetMB has no default and bounds');
  return { default: spec.default, minimum: spec.min, maximum: spec.max };
}

/** The bounds of a learning rate, as JSON Schema keywords. */
export function learningRateBounds(): { exclusiveMinimum?: number; minimum?: number; maximum?: number } {
  const json = z.toJSONSchema(learningRateSchema) as Record<string, unknown>;
  const pick = ['exclusiveMinimum', 'minimum', 'maximum'].filter((k) => typeof json[k] === 'number');
  return Object.fromEntries(pick.map((k) => [k, json[k]]));
}

/** package.json with its JSON escapes (non-ASCII as \uXXXX), as npm and the repo write it. */
function stringifyPackage(pkg: unknown): string {
  return JSON.stringify(pkg, null, 2).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

/** package.json's text with the generated setting values. */
export function generatePackageJson(text: string): string {
  const pkg = JSON.parse(text);
  const setting = pkg.contributes.configuration.properties['modelLens.memoryBudgetMB'];
  Object.assign(setting, memoryBudgetSetting());
  return stringifyPackage(pkg);
}

/** media/lens.schema.json's text with the generated learningRate property (its one line, in place). */
export function generateSidecarSchema(text: string): string {
  const schema = JSON.parse(text);
  const property = schema.properties.data.properties.checkpoints.items.properties.learningRate;
  const generated = { type: 'number', ...learningRateBounds(), description: property.description };
  const line = `"learningRate": { ${Object.entries(generated).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} }`;
  const out = text.replace(/"learningRate": \{[^{}]*\}/, line);
  if (out === text && JSON.stringify(property) !== JSON.stringify(generated)) throw new Error('media/lens.schema.json: no learningRate property to replace');
  return out;
}

/** media/icl.schema.json: the prompt spec's JSON Schema, for VS Code's validation and completion of *.icl.json. */
export function generateIclSchema(): string {
  const schema = { ...z.toJSONSchema(iclSpecSchema, { target: 'draft-7' }), $id: 'https://model-lens.local/icl.schema.json' };
  return lineJson(schema) + '\n';
}

export const GENERATED = [
  { file: 'package.json', generate: generatePackageJson },
  { file: 'media/lens.schema.json', generate: generateSidecarSchema },
  { file: 'media/icl.schema.json', generate: generateIclSchema },
] as const;
