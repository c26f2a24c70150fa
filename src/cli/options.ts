/**
 * The CLI's request flags, generated from the option schemas (src/protocol/options): the parseArgs
 * specs, the conversion of each flag's text to its value, the validation (bounds and which methods
 * an option applies to, with the error naming the flag) and the --help lines. Nothing here states
 * a bound or a default; the CLI-only flags (--json, --out, --no-cache, …) live with their commands.
 */
import { fieldSpecs, OptionError, parseOptions, requirement, type FieldSpec, type OptionRequest } from '../protocol/options';
import { textFlag, type Flags, type UsageError } from './flags';

/** The requests the CLI's commands send, with options given as flags. */
export type FlagRequest = Exclude<OptionRequest, 'info'>;

/** Converts a structured option's flag text (baselines, checkpoint lists, layer lists), or any option a command reads its own way. */
export type StructuredReader = (text: string, flags: Flags) => unknown;

type ArgSpec = { type: 'string' } | { type: 'boolean'; default: false };

/** The options that are flags: every option but the model (the positional argument). */
export function flagFields(request: FlagRequest): FieldSpec[] {
  return fieldSpecs(request).filter((f) => f.key !== 'modelPath');
}

/** A boolean that defaults to true is turned off by --no-<flag>; any other option is --<flag>. */
export function flagOf(spec: FieldSpec): string {
  return spec.type === 'boolean' && spec.default === true ? `no-${spec.flag}` : spec.flag;
}

/** parseArgs option specs for a request's flags (values arrive as text and are converted here). */
export function argSpecs(request: FlagRequest): Record<string, ArgSpec> {
  return Object.fromEntries(flagFields(request).map((f) => [flagOf(f), f.type === 'boolean' ? { type: 'boolean', default: false } : { type: 'string' }]));
}

/** `--flag: must be …` from what the option must be; the form every CLI value error takes. */
export function flagError(spec: FieldSpec, usage: UsageError, problem = requirement(spec)): Error {
  return usage(`--${flagOf(spec)}: ${problem}`);
}

const INTEGER = /^[+-]?\d+$/;

/** One flag's text as its option's value; text that is no value of the type is refused with the requirement. */
function convert(spec: FieldSpec, text: string, flags: Flags, usage: UsageError, structured: Record<string, StructuredReader>): unknown {
  // A command's own reader wins, for any type (a class given as an index or a label name).
  if (Object.hasOwn(structured, spec.key)) return structured[spec.key](text, flags);
  switch (spec.type) {
    case 'integer':
    case 'classIndex':
      if (!INTEGER.test(text.trim())) throw flagError(spec, usage);
      return Number(text);
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw flagError(spec, usage);
      return n;
    }
    case 'enum':
      if (!spec.choices?.includes(text)) throw flagError(spec, usage);
      return text;
    case 'structured':
      throw new Error(`no CLI reader for the structured option ${spec.key}`);
    default:
      // Paths, names, layers: the schema checks them (a non-empty path, a name without control characters).
      return text;
  }
}

/**
 * The request's options as given on the command line: the values of the flags that were given,
 * converted (not defaulted: the engine applies the defaults, and records what it used).
 */
export function readOptions(request: FlagRequest, flags: Flags, usage: UsageError, structured: Record<string, StructuredReader> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of flagFields(request)) {
    const flag = flagOf(spec);
    const value = flags[flag];
    if (value === undefined || value === false) continue;
    if (spec.type === 'boolean') {
      out[spec.key] = spec.default !== true;
      continue;
    }
    const text = textFlag(value);
    if (text !== undefined) out[spec.key] = convert(spec, text, flags, usage, structured);
  }
  return out;
}

/**
 * Validates a request built from flags against its schema, as the engine will: bounds, the methods
 * each option applies to, what options need of each other. Errors name the flag, never the field.
 */
export function validateOptions(request: FlagRequest, params: Record<string, unknown>, usage: UsageError): void {
  try {
    parseOptions(request, params);
  } catch (err) {
    if (!(err instanceof OptionError)) throw err;
    const specs = flagFields(request);
    const spec = specs.find((f) => f.key === err.key);
    if (!spec) throw usage(err.message.replace(/\.$/, ''));
    const problem = err.problem
      .replace(/\.$/, '')
      // "needs solver lissa" → "needs --solver lissa"
      .replace(/^needs (\w+) /, (_, key: string) => `needs --${flagOf(specs.find((f) => f.key === key) ?? spec)} `);
    throw usage(/^(must|is malformed)/.test(problem) ? `--${flagOf(spec)}: ${problem}` : `--${flagOf(spec)} ${problem}`);
  }
}

/** A comma list with no empty items; the error names the flag. */
export function commaList(request: FlagRequest, text: string, flag: string, usage: UsageError): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    const spec = flagFields(request).find((f) => f.flag === flag);
    const problem = 'must be a comma-separated list with no empty items';
    throw spec ? flagError(spec, usage, problem) : usage(`--${flag}: ${problem}`);
  }
  return items;
}

/** How a help line shows an option's value. */
function valueHint(spec: FieldSpec): string {
  switch (spec.type) {
    case 'boolean':
      return '';
    case 'integer':
    case 'classIndex':
      return ' <n>';
    case 'number':
      return ' <x>';
    case 'enum': {
      const choices = (spec.choices ?? []).join('|');
      return choices.length <= 16 ? ` <${choices}>` : ' <name>';
    }
    case 'path':
      return ' <path>';
    case 'layer':
    case 'string':
      return ' <name>';
    case 'output':
      return ' <name|index>';
    case 'structured':
      return ' <list>';
  }
}

/** The default as a help text shows it. */
export function defaultLabel(spec: FieldSpec, override?: string): string | undefined {
  if (override !== undefined) return override;
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.default === undefined) return undefined;
  if (spec.type === 'boolean') return spec.default ? 'on; this flag turns it off' : 'off';
  if (typeof spec.default === 'object') return String((spec.default as { kind?: string }).kind ?? JSON.stringify(spec.default));
  return String(spec.default);
}

const WIDTH = 100;
const COLUMN = 24;

/** Wraps `text` after a `head` padded to COLUMN, continuing at COLUMN. */
export function helpLine(head: string, text: string): string {
  const lines: string[] = [];
  let line = head.length >= COLUMN - 1 ? `${head}\n${' '.repeat(COLUMN)}` : head.padEnd(COLUMN);
  let width = line.length - (line.lastIndexOf('\n') + 1);
  for (const word of text.split(' ')) {
    if (width + word.length > WIDTH && width > COLUMN) {
      lines.push(line.trimEnd());
      line = ' '.repeat(COLUMN);
      width = COLUMN;
    }
    line += `${word} `;
    width += word.length + 1;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

export interface HelpOptions {
  /** Keys to leave out (documented elsewhere, e.g. --input). */
  omit?: readonly string[];
  /** What the CLI uses where it is not the schema's default (e.g. the gradient cache folder). */
  defaults?: Readonly<Record<string, string>>;
  /** How a structured option's value is shown (e.g. '<a,b>'). */
  hints?: Readonly<Record<string, string>>;
  /** Extra lines after an option's (CLI-only companions such as --lr after --checkpoints). */
  after?: Readonly<Record<string, string>>;
}

/** The --help lines of a request's options: flag, which methods, description, choices, default. */
export function optionHelp(request: FlagRequest, how: HelpOptions = {}): string {
  return flagFields(request)
    .filter((f) => !how.omit?.includes(f.key))
    .map((spec) => {
      const methods = spec.methods ? `${spec.methods.join(', ')}: ` : '';
      const choices = spec.type === 'enum' && valueHint(spec) === ' <name>' ? ` (${(spec.choices ?? []).join(' | ')})` : '';
      const needs = spec.requires ? ` (with ${Object.entries(spec.requires).map(([k, v]) => `--${k} ${v}`).join(', ')})` : '';
      const shown = defaultLabel(spec, how.defaults?.[spec.key]);
      const text = `${methods}${spec.description}${choices}${needs}${shown !== undefined ? ` (default: ${shown})` : ''}`;
      const hint = how.hints?.[spec.key] ? ` ${how.hints[spec.key]}` : valueHint(spec);
      const line = helpLine(`  --${flagOf(spec)}${hint}`, text);
      return how.after?.[spec.key] ? `${line}\n${how.after[spec.key]}` : line;
    })
    .join('\n');
}
