/**
 * The options of every engine request, defined once (saliency.ts, influence.ts, predict.ts, concepts.ts,
 * icl.ts, counterfactual.ts) and
 * read through this module: `parseOptions` validates a request and applies its defaults (the
 * engine at its process boundary, the host for the panel's messages, the CLI after reading its
 * flags); `fieldSpecs` describes the options for forms and help texts.
 */
import { z } from 'zod';
import { OptionError, requirement, specOf, type FieldSpec, type FieldTable, type InputKind, type OptionDef } from './field';
import { PROBE_FIELDS, TCAV_FIELDS } from './concepts';
import { ICL_FIELDS } from './icl';
import { COUNTERFACTUAL_FIELDS } from './counterfactual';
import { INFLUENCE_FIELDS } from './influence';
import { INFO_FIELDS, PREDICT_FIELDS } from './predict';
import { SALIENCY_FIELDS } from './saliency';

export { OptionError, requirement, specOf, type FieldSpec, type FieldType, type InputKind, type OptionDef } from './field';

/** The option tables of the requests that have options. */
export const REQUEST_FIELDS = {
  info: INFO_FIELDS,
  predict: PREDICT_FIELDS,
  saliency: SALIENCY_FIELDS,
  influence: INFLUENCE_FIELDS,
  tcav: TCAV_FIELDS,
  probe: PROBE_FIELDS,
  icl: ICL_FIELDS,
  counterfactual: COUNTERFACTUAL_FIELDS,
} as const;
export type OptionRequest = keyof typeof REQUEST_FIELDS;

type ValueOf<D> = D extends OptionDef<infer S> ? z.output<S> : never;
/** Keys a parsed request always has: the required ones, and its method (which has a default or is required). */
type RequiredKeys<T> = { [K in keyof T]: T[K] extends { required: true } ? K : K extends 'method' ? K : never }[keyof T];
/** A request's options: required ones always present, the others when given or defaulted. */
export type OptionsOf<T extends FieldTable> = { [K in RequiredKeys<T>]: ValueOf<T[K]> } & { [K in Exclude<keyof T, RequiredKeys<T>>]?: ValueOf<T[K]> };
export type RequestOptions<R extends OptionRequest> = OptionsOf<(typeof REQUEST_FIELDS)[R]>;

export interface ParseOptions {
  /** 'webview': the panel's messages, which may set only the options the panel offers (no paths). */
  origin?: 'engine' | 'webview';
  /** Resolves path options (the engine: against its working directory). */
  resolvePath?: (value: string) => string;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The methods a field applies to, or every method. */
function applies(def: OptionDef, method: string | undefined): boolean {
  return !def.methods || method === undefined || def.methods.includes(method);
}

function requiredFor(def: OptionDef, method: string | undefined): boolean {
  return def.required === true || (Array.isArray(def.required) && method !== undefined && def.required.includes(method));
}

/**
 * Validates `raw` as `request`'s options and fills in the defaults of those that apply to its
 * method. Throws an OptionError naming the option (its key; the CLI maps it to the flag).
 */
export function parseOptions<R extends OptionRequest>(request: R, raw: unknown, how: ParseOptions = {}): RequestOptions<R> {
  const table: FieldTable = REQUEST_FIELDS[request];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new OptionError(null, `${request}: options must be an object.`);
  const given = raw as Record<string, unknown>;
  const unknown = Object.keys(given).filter((k) => !hasOwn(table, k) || (how.origin === 'webview' && !specOf(k, table[k]).panel));
  if (unknown.length > 0) throw new OptionError(unknown[0], `is not an option of ${request}${unknown.length > 1 ? ` (nor ${unknown.slice(1).join(', ')})` : ''}.`);

  const out: Record<string, unknown> = {};
  const check = (key: string): unknown => {
    const def = table[key];
    const schema = how.origin === 'webview' && def.panelSchema ? def.panelSchema : def.schema;
    const result = schema.safeParse(given[key]);
    if (!result.success) throw new OptionError(key, describeIssue(specOf(key, def), result.error));
    if (!how.resolvePath) return result.data;
    if (def.type === 'path') return how.resolvePath(result.data as string);
    return def.resolvePaths ? def.resolvePaths(result.data, how.resolvePath) : result.data;
  };
  // The method first: it decides which of the other options apply.
  let method: string | undefined;
  if (hasOwn(table, 'method')) {
    const def = table.method;
    if (given.method === undefined && def.default === undefined) throw new OptionError('method', `is required: ${requirement(specOf('method', def))}.`);
    method = (given.method === undefined ? def.default : check('method')) as string;
    out.method = method;
  }
  for (const [key, def] of Object.entries(table)) {
    if (key === 'method') continue;
    const value = given[key];
    if (value === undefined) {
      // The host adds the panel's paths: the webview neither sends nor owes them.
      if (requiredFor(def, method) && !(how.origin === 'webview' && !specOf(key, def).panel)) throw new OptionError(key, `is required${method ? ` for ${method}` : ''}.`);
      continue;
    }
    if (!applies(def, method)) throw new OptionError(key, `applies to ${def.methods!.join(', ')}, not ${method}.`);
    out[key] = check(key);
  }
  for (const [key, def] of Object.entries(table)) {
    const unmet = Object.entries(def.requires ?? {}).find(([k, v]) => out[k] !== v);
    if (out[key] !== undefined && unmet) throw new OptionError(key, `needs ${unmet[0]} ${unmet[1]}.`);
  }
  return fillDefaults(table, out, method) as RequestOptions<R>;
}

/** Which options of a parsed request took their default (were not given), e.g. whether λ may be raised. */
const DEFAULTED = new WeakMap<object, readonly string[]>();

/** Adds the defaults of the options that apply to `method` and were not given; records which. */
function fillDefaults(table: FieldTable, out: Record<string, unknown>, method: string | undefined): Record<string, unknown> {
  const filled: string[] = [];
  for (const [key, def] of Object.entries(table)) {
    const unmet = Object.entries(def.requires ?? {}).some(([k, v]) => out[k] !== v);
    if (out[key] === undefined && def.default !== undefined && applies(def, method) && !unmet) {
      out[key] = structuredClone(def.default);
      filled.push(key);
    }
  }
  DEFAULTED.set(out, filled);
  return out;
}

/** The keys of `options` (as parseOptions or withDefaults returned them) that took their default. */
export function defaultedKeys(options: object): readonly string[] {
  return DEFAULTED.get(options) ?? [];
}

/**
 * `options` with the defaults of `request`'s options that apply to its method filled in, without
 * validation: for internal callers (tests, benchmarks, retraining) that call a method directly
 * rather than through the engine's boundary, so no default is restated anywhere.
 */
export function withDefaults<T extends object>(request: OptionRequest, options: T): T {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return fillDefaults(REQUEST_FIELDS[request], out, out.method as string | undefined) as T;
}

/** The zod issue in words, led by what the value must be. */
function describeIssue(spec: FieldSpec, error: z.ZodError): string {
  const issue = error.issues[0];
  // A name with a format of its own (an ICL provider) says what the format is.
  if (spec.type === 'string' && issue?.code === 'invalid_format' && issue.format === 'regex') return `${issue.message}.`;
  if (spec.type !== 'structured') return `${requirement(spec)}.`;
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return `is malformed${where}: ${issue?.message ?? 'invalid value'}.`;
}

/** Every option of `request`, as plain data for forms and help texts. */
export function fieldSpecs(request: OptionRequest): FieldSpec[] {
  return Object.entries(REQUEST_FIELDS[request] as FieldTable).map(([key, def]) => specOf(key, def));
}

/** The specs a form shows for this method and input kind. */
export function panelFields(request: OptionRequest, method: string, kind?: InputKind): FieldSpec[] {
  return fieldSpecs(request).filter((f) => f.panel && f.key !== 'method' && (!f.methods || f.methods.includes(method)) && (!kind || !f.inputKinds || f.inputKinds.includes(kind)));
}

/** A default value of `request`'s option `key`, for the few places that need it outside a parse. */
export function defaultOf<R extends OptionRequest, K extends keyof (typeof REQUEST_FIELDS)[R] & string>(request: R, key: K): ValueOf<(typeof REQUEST_FIELDS)[R][K]> {
  return (REQUEST_FIELDS[request] as FieldTable)[key].default as ValueOf<(typeof REQUEST_FIELDS)[R][K]>;
}
