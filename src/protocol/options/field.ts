/**
 * One option of an engine request, defined once: its zod schema (type and bounds), default,
 * one-line description, CLI flag, panel label, and the methods and input kinds it applies to.
 * Engine validation, the CLI's flags and help, the panel's forms and the settings' defaults are
 * all derived from these definitions (see index.ts); nothing else writes a bound or a default.
 */
import { z } from 'zod';

export type InputKind = 'image' | 'tabular' | 'text' | 'tensor';

/** How a form shows an option, and how the CLI reads its text. */
export type FieldType =
  | 'integer'
  | 'number'
  | 'boolean'
  | 'enum'
  | 'string'
  /** A file or folder; resolved against the caller's directory; never offered by the panel. */
  | 'path'
  /** A class index of the model's output: the form offers the model's labels. */
  | 'classIndex'
  /** A layer name of the model: the form offers the model's layers. */
  | 'layer'
  /** An output head of the model, by name or index: the form offers the model's outputs. */
  | 'output'
  /** Structured values with their own CLI syntax (baselines, checkpoints, layer lists). */
  | 'structured';

export interface OptionDef<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Applied when the option applies and was not given; absent: chosen at run time (defaultText). */
  default?: z.output<S>;
  type: FieldType;
  label: string;
  /** One line: tooltips and --help. */
  description: string;
  /** How the default is chosen when it is not a constant, e.g. 'the predicted class'. */
  defaultText?: string;
  /** CLI flag without dashes; default: the key in kebab-case. */
  flag?: string;
  /** Methods it applies to; absent: every method of the request. */
  methods?: readonly string[];
  /** Input kinds it applies to; absent: every kind (the engine checks kinds once the input is loaded). */
  inputKinds?: readonly InputKind[];
  /** Other options it needs, e.g. { solver: 'lissa' }. */
  requires?: Readonly<Record<string, string>>;
  /** Required for these methods (true: for every method). */
  required?: true | readonly string[];
  /** A required option the panel may leave out: the host then chooses it, as this says ('the runner-up class'). */
  hostDefault?: string;
  /** Whether the panel's forms offer it (default true; paths never). */
  panel?: boolean;
  /** The choices a form offers for a structured option (e.g. baseline kinds without files). */
  choices?: readonly string[];
  /** A structured list of the model's layer names (the parameter scope): the form offers a checklist of its layers with weights. */
  items?: 'layer';
  /** What the panel may send, where narrower than `schema` (no file baselines). */
  panelSchema?: z.ZodType;
  /** Structured options that hold paths: the value with each path resolved (baseline files, checkpoints). */
  resolvePaths?(value: z.output<S>, resolve: (path: string) => string): z.output<S>;
}

/** What a form or a help text needs of an option: plain data, safe to send to a webview. */
export interface FieldSpec {
  key: string;
  flag: string;
  label: string;
  description: string;
  type: FieldType;
  min?: number;
  max?: number;
  /** True when min itself is not allowed (e.g. a noise level must be positive). */
  exclusiveMin?: boolean;
  choices?: readonly string[];
  items?: 'layer';
  default?: number | boolean | string;
  defaultText?: string;
  methods?: readonly string[];
  inputKinds?: readonly InputKind[];
  requires?: Readonly<Record<string, string>>;
  required?: true | readonly string[];
  hostDefault?: string;
  panel: boolean;
}

/** An option that failed validation: `key` names it, `message` says what it must be. */
export class OptionError extends Error {
  constructor(
    readonly key: string | null,
    readonly problem: string,
  ) {
    super(key ? `${key} ${problem}` : problem);
    this.name = 'OptionError';
  }
}

export type FieldTable = Readonly<Record<string, OptionDef>>;

/** Keeps the definition's literal type (what is required) and checks `default` against the schema. */
export function option<const D extends OptionDef>(def: D & { default?: z.output<D['schema']> }): D {
  return def;
}

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The option's spec, from its schema's JSON Schema (so bounds are read, never restated). */
export function specOf(key: string, def: OptionDef): FieldSpec {
  const json = z.toJSONSchema(def.schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);
  const exclusiveMin = num(json.exclusiveMinimum);
  const spec: FieldSpec = {
    key,
    flag: def.flag ?? kebab(key),
    label: def.label,
    description: def.description,
    type: def.type,
    min: exclusiveMin ?? num(json.minimum),
    max: num(json.maximum),
    exclusiveMin: exclusiveMin !== undefined ? true : undefined,
    choices: def.choices ?? (Array.isArray(json.enum) ? (json.enum as string[]) : undefined),
    items: def.items,
    default: def.default as FieldSpec['default'],
    defaultText: def.defaultText,
    methods: def.methods,
    inputKinds: def.inputKinds,
    requires: def.requires,
    required: def.required,
    hostDefault: def.hostDefault,
    panel: def.panel ?? def.type !== 'path',
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as FieldSpec;
}

/** What a value must be, in words ("must be an integer from 1 to 10000"). */
export function requirement(spec: FieldSpec): string {
  const range = spec.min !== undefined && spec.max !== undefined ? ` ${spec.exclusiveMin ? 'above' : 'from'} ${spec.min} ${spec.exclusiveMin ? 'up ' : ''}to ${spec.max}` : '';
  switch (spec.type) {
    case 'integer':
    case 'classIndex':
      return `must be an integer${range}`;
    case 'number':
      return `must be a number${range}`;
    case 'boolean':
      return 'must be true or false';
    case 'enum':
      return `must be one of ${(spec.choices ?? []).join(', ')}`;
    case 'string':
    case 'layer':
      return 'must be a non-empty name';
    case 'output':
      return "must be an output's name or index";
    case 'path':
      return 'must be a non-empty path';
    case 'structured':
      return 'is malformed';
  }
}
