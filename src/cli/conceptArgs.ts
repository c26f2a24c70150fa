/** `model-lens tcav` and `model-lens probe`: their flags, and how they become requests (options from the schema). */
import * as path from 'path';
import type { Params } from '../protocol/engine';
import type { Flags, UsageError } from './flags';
import { argSpecs, commaList, optionHelp, readOptions, validateOptions } from './options';

/** parseArgs option specs: --concept repeats (one NAME=PATH each). */
export const TCAV_FLAGS = { ...argSpecs('tcav'), concept: { type: 'string', multiple: true } } as const;
export const PROBE_FLAGS = argSpecs('probe');

export const TCAV_USAGE = `  tcav <model.json> --class <K|NAME> --layer <L[,L2…]> --concept <NAME=PATH> [--concept …]
                                       Test how sensitive a class's logit is to concepts (TCAV)
  probe <model.json> --data <path> [--layer <L,…|all>]
                                       Probe what each layer encodes about labelled data (linear probes)

TCAV options:
${optionHelp('tcav', { hints: { class: '<K|NAME>', layers: '<L[,L2…]>', concepts: '<NAME=PATH>' } })}

Probe options:
${optionHelp('probe', { hints: { layers: '<L[,L2…]|all>' } })}`;

export function tcavParams(modelPath: string, flags: Flags, usage: UsageError): Params<'tcav'> {
  const given = readOptions('tcav', flags, usage, {
    class: (text) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text),
    layers: (text) => commaList('tcav', text, 'layer', usage),
    // Read below: parseArgs gives the repeated flag as a list.
    concepts: () => undefined,
  });
  const concepts = Array.isArray(flags.concept) ? flags.concept.map((c) => concept(c, usage)) : undefined;
  const params = { modelPath, ...given, ...(concepts && { concepts }) };
  validateOptions('tcav', params, usage);
  return params as Params<'tcav'>;
}

export function probeParams(modelPath: string, flags: Flags, usage: UsageError): Params<'probe'> {
  // --layer all is the default: every layer.
  const { layer, ...others } = flags;
  const given = readOptions('probe', typeof layer === 'string' && layer.trim() === 'all' ? others : flags, usage, {
    layers: (text) => commaList('probe', text, 'layer', usage),
  });
  const params = { modelPath, ...given };
  validateOptions('probe', params, usage);
  return params as Params<'probe'>;
}

/** NAME=PATH, the path resolved against the working folder. */
function concept(text: string, usage: UsageError): { name: string; path: string } {
  const at = text.indexOf('=');
  if (at <= 0 || at === text.length - 1) throw usage(`--concept: must be NAME=PATH (a concept's name and its examples); got '${text}'`);
  return { name: text.slice(0, at).trim(), path: path.resolve(text.slice(at + 1)) };
}
