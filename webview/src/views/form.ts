/**
 * Form pieces the panel's sections share: labelled fields, the input and class lists, Run / Cancel,
 * and the option controls, generated from the option schemas (src/protocol/options): which options
 * a method and input kind take, their labels, tooltips, ranges and defaults all come from there.
 * A form's values are one record (option key → the control's value: text as typed, a choice, a
 * checkbox), the only source of truth: every control is drawn from it and writes to it, and Run
 * sends what it holds.
 */
import type { ModelSummary } from '../../../src/protocol/model';
import { panelFields, requirement, type FieldSpec, type InputKind, type OptionRequest } from '../../../src/protocol/options';
import type { ExplainInput } from '../../../src/protocol/webview';
import { button, checkbox, dropdown, textField, type Choice } from '../components';
import { formatCount, h } from '../dom';
import { post } from '../messaging';

export function field(label: string, control: HTMLElement, title?: string): HTMLElement {
  return h('label', { class: 'field', ...(title ? { title } : {}) }, h('span', { class: 'field-label' }, label), control);
}

/** The host's inputs by index, then "Choose file…" (value 'choose': the host shows the dialog). */
function inputChoices(inputs: ExplainInput[]): Choice[] {
  const choices = inputs.map((input, i) => ({ value: String(i), label: input.source === 'sample' ? input.label : `${input.label} (file)` }));
  return [...choices, { value: 'choose', label: 'Choose file…' }];
}

/** A dropdown of the host's inputs; "Choose file…" asks the host for a dialog, any other pick calls `onSelect`. */
export function inputDropdown(inputs: ExplainInput[], selected: number, onSelect: (index: number) => void, ariaLabel: string, testId: string): HTMLElement {
  return dropdown(
    inputChoices(inputs),
    inputs.length ? String(selected) : 'choose',
    (value) => {
      if (value === 'choose') post({ type: 'chooseInput' });
      else onSelect(Number(value));
    },
    ariaLabel,
    testId,
  );
}

/**
 * A section's method dropdown. Picking one clears the form's error, saves the form and redraws it:
 * the method decides which options the form shows.
 */
export function methodDropdown<M extends string>(
  store: { method: M; formError?: string },
  methods: readonly M[],
  names: Record<M, string>,
  { save, redraw, ariaLabel, testId }: { save: () => void; redraw: () => void; ariaLabel: string; testId: string },
): HTMLElement {
  const pick = (value: string) => {
    store.method = value as M;
    store.formError = undefined;
    save();
    redraw();
  };
  return dropdown(methods.map((m) => ({ value: m, label: names[m] })), store.method, pick, ariaLabel, testId);
}

/**
 * '' (the model's prediction, labelled `none`) then every class of the head named `output` (default
 * the first), named by the sidecar's labels; a sigmoid head's two classes.
 */
export function classChoices(summary: ModelSummary | undefined, none: string, output?: string): Choice[] {
  const choices: Choice[] = [{ value: '', label: none }];
  const index = summary?.outputs.findIndex((o) => o.name === output) ?? -1;
  const head = summary?.outputs[Math.max(0, index)];
  const shape = head?.shape ?? [];
  const n = head?.kind === 'sigmoid' ? 2 : shape[shape.length - 1];
  const settings = summary?.sidecar.sidecar.outputs;
  const labels = (head && (settings?.[head.name] ?? settings?.[String(Math.max(0, index))])?.labels) ?? (index <= 0 ? summary?.sidecar.sidecar.labels : undefined) ?? [];
  const count = typeof n === 'number' && n > 0 ? Math.min(n, 1000) : Math.min(labels.length, 1000);
  for (let i = 0; i < count; i++) choices.push({ value: String(i), label: labels[i] !== undefined && labels[i] !== String(i) ? `${i}: ${labels[i]}` : String(i) });
  return choices;
}

/**
 * The form's last row: the run button (`label`, or "`label` again" while a run computes: the
 * status line above the result has its progress and Cancel), then `more` actions (e.g. Compare
 * methods…), and the form's error. Test ids are `${testId}-run` and `${testId}-form-error`.
 */
export function runControls(testId: string, label: string, running: boolean, onRun: () => void, formError: string | undefined, ...more: HTMLElement[]): HTMLElement {
  return h(
    'div',
    { class: 'explain-run' },
    h('div', { class: 'actions' }, button(running ? `${label} again` : label, onRun, 'primary', `${testId}-run`), ...more),
    formError ? h('p', { class: 'explain-form-error', 'data-testid': `${testId}-form-error` }, formError) : null,
  );
}

/** A form's values by option key: text as typed (numbers), a choice ('' = the option's default), or a checkbox. */
export type FormValues = Record<string, string | boolean>;

/** Saved values of a form (the webview's state), keeping only well-typed entries. */
export function restoreValues(saved: Record<string, unknown> | undefined): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(saved ?? {})) if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  return out;
}

export interface OptionFormContext {
  request: OptionRequest;
  method: string;
  kind?: InputKind;
  values: FormValues;
  summary?: ModelSummary;
  /** Test ids are `${testPrefix}-${key}`. */
  testPrefix: string;
  /** A value changed (redraw: the form's shape may change). */
  onChange(key: string, value: string | boolean): void;
  /** Display names of enum and structured choices, by value. */
  choiceLabels?: Record<string, string>;
  /** Only these options (a form that draws the others itself, or offers those of some methods). */
  keys?: readonly string[];
}

/** The schema's default of a field as the control shows it, for a boolean or text. */
function defaultValue(spec: FieldSpec): string | boolean {
  if (spec.type === 'boolean') return spec.default === true;
  if (spec.type === 'structured') return typeof spec.default === 'object' && spec.default !== null ? String((spec.default as { kind?: unknown }).kind ?? '') : '';
  return spec.default === undefined ? '' : String(spec.default);
}

/**
 * What the control of a field shows: the form's value, else the schema's default; a number field
 * left empty shows its default as the placeholder and sends nothing (the engine applies it).
 */
export function shownValue(spec: FieldSpec, values: FormValues): string | boolean {
  const v = values[spec.key];
  if (spec.type === 'boolean') return typeof v === 'boolean' ? v : (defaultValue(spec) as boolean);
  if (typeof v === 'string') return v;
  return isText(spec) ? '' : (defaultValue(spec) as string);
}

const isText = (spec: FieldSpec) => spec.type === 'integer' || spec.type === 'number' || spec.type === 'string';

/** Tooltip: the description, what the value must be, and the default. */
function tooltip(spec: FieldSpec): string {
  const dflt = spec.defaultText ?? spec.hostDefault ?? (spec.default !== undefined && typeof spec.default !== 'object' ? String(spec.default) : undefined);
  return [spec.description, spec.type === 'structured' ? undefined : requirement(spec), dflt !== undefined ? `default: ${dflt}` : undefined].filter(Boolean).join('; ');
}

/** 'the predicted class' → 'Predicted class': a default's description as a choice. */
const capitalise = (s: string) => s.replace(/^the /i, '').replace(/^./, (c) => c.toUpperCase());

/** The controls of the options `method` takes for inputs of `kind`, in the schema's order. */
export function optionControls(ctx: OptionFormContext): HTMLElement[] {
  // A model with one output has no head to choose.
  const fields = panelFields(ctx.request, ctx.method, ctx.kind).filter((spec) => (spec.type !== 'output' || (ctx.summary?.outputs.length ?? 0) > 1) && (!ctx.keys || ctx.keys.includes(spec.key)));
  return fields.map((spec) => control(spec, ctx));
}

function control(spec: FieldSpec, ctx: OptionFormContext): HTMLElement {
  const testId = `${ctx.testPrefix}-${spec.key}`;
  const value = shownValue(spec, ctx.values);
  const title = tooltip(spec);
  const set = (v: string | boolean) => ctx.onChange(spec.key, v);
  if (spec.items === 'layer') return layerChecklist(spec, value as string, set, ctx.summary, testId, title);
  const label = (v: string) => ctx.choiceLabels?.[v] ?? v;
  switch (spec.type) {
    case 'boolean': {
      const box = checkbox(spec.label, value as boolean, set, testId);
      box.title = title;
      return h('div', { class: 'field checkbox-field', title }, box);
    }
    case 'enum':
    case 'structured': {
      const choices = (spec.choices ?? []).map((c) => ({ value: c, label: label(c) }));
      const withDefault = spec.default === undefined && spec.defaultText ? [{ value: '', label: capitalise(spec.defaultText) }, ...choices] : choices;
      return field(spec.label, dropdown(withDefault, value as string, set, spec.label, testId), title);
    }
    case 'classIndex':
      return field(spec.label, dropdown(classChoices(ctx.summary, capitalise(spec.hostDefault ?? spec.defaultText ?? 'default'), ctx.values.output as string | undefined), value as string, set, spec.label, testId), title);
    case 'output':
      return field(spec.label, dropdown(outputChoices(ctx.summary, capitalise(spec.defaultText ?? 'default')), value as string, set, spec.label, testId), title);
    case 'layer':
      return field(spec.label, dropdown(layerChoices(ctx.summary, capitalise(spec.defaultText ?? 'automatic')), value as string, set, spec.label, testId), title);
    default: {
      const placeholder = spec.defaultText ?? (spec.default !== undefined ? String(spec.default) : undefined);
      return h(
        'div',
        { class: 'field', title },
        h('span', { class: 'field-label' }, spec.label),
        textField('', value as string, set, { size: 8, placeholder, testId }),
      );
    }
  }
}

/** '' (the first output, labelled `none`) then every output head with its shape and kind. */
function outputChoices(summary: ModelSummary | undefined, none: string): Choice[] {
  const heads = summary?.outputs ?? [];
  return [{ value: '', label: none }, ...heads.map((o) => ({ value: o.name, label: `${o.name} [${o.shape.map((d) => d ?? '?').join(', ')}] ${o.kind}` }))];
}

/**
 * A list of the model's layers with weights, one checkbox each (their parameter counts beside);
 * none ticked: the default. The value is the ticked names, comma-separated.
 */
function layerChecklist(spec: FieldSpec, value: string, set: (v: string) => void, summary: ModelSummary | undefined, testId: string, title: string): HTMLElement {
  const chosen = new Set(value.split(',').filter(Boolean));
  const layers = (summary?.layers ?? []).filter((l) => l.params > 0);
  const note = h('span', { class: 'muted scope-note' }, chosen.size ? `${formatCount(layers.filter((l) => chosen.has(l.name)).reduce((n, l) => n + l.params, 0))} parameters` : `automatic: ${spec.defaultText ?? 'default'}`);
  const boxes = layers.map((l) =>
    checkbox(`${l.name} (${formatCount(l.params)})`, chosen.has(l.name), (checked) => {
      if (checked) chosen.add(l.name);
      else chosen.delete(l.name);
      set(layers.filter((x) => chosen.has(x.name)).map((x) => x.name).join(','));
      note.textContent = chosen.size ? `${formatCount(layers.filter((x) => chosen.has(x.name)).reduce((n, x) => n + x.params, 0))} parameters` : `automatic: ${spec.defaultText ?? 'default'}`;
    }, `${testId}-${l.name}`),
  );
  return h('fieldset', { class: 'field layer-list', title, 'data-testid': testId }, h('legend', { class: 'field-label' }, spec.label), h('div', { class: 'layer-boxes' }, ...boxes), note);
}

/** '' (the default, labelled `none`) then the model's layers with 4-D outputs. */
function layerChoices(summary: ModelSummary | undefined, none: string): Choice[] {
  const layers = (summary?.layers ?? []).filter((l) => l.outputShape.some((shape) => shape.length === 4));
  return [{ value: '', label: none }, ...layers.map((l) => ({ value: l.name, label: `${l.name} (${l.className})` }))];
}

/**
 * The options to send for `method` ('' for a request without methods): every field it takes that
 * the form sets ('' leaves the option to its default). Numbers go as typed, so the schema's check
 * names what is wrong.
 */
export function formOptions(request: OptionRequest, method: string, kind: InputKind | undefined, values: FormValues, keys?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = method ? { method } : {};
  for (const spec of panelFields(request, method, kind).filter((f) => !keys || keys.includes(f.key))) {
    const v = shownValue(spec, values);
    if (spec.type === 'boolean') out[spec.key] = v;
    else if (v === '') continue;
    else if (spec.type === 'integer' || spec.type === 'number' || spec.type === 'classIndex') out[spec.key] = Number(String(v).trim());
    else if (spec.items === 'layer') out[spec.key] = String(v).split(',').filter(Boolean);
    else if (spec.type === 'structured') out[spec.key] = { kind: v };
    else out[spec.key] = v;
  }
  return out;
}

/** A run's options (e.g. one started by a command) → the form's values, keeping fields the run did not set. */
export function valuesFrom(request: OptionRequest, options: Record<string, unknown>, prev: FormValues): FormValues {
  const out: FormValues = { ...prev };
  for (const spec of panelFields(request, String(options.method))) {
    const v = options[spec.key];
    if (v === undefined) out[spec.key] = spec.type === 'boolean' ? (defaultValue(spec) as boolean) : spec.default === undefined || isText(spec) ? '' : String(defaultValue(spec));
    else if (typeof v === 'boolean') out[spec.key] = v;
    else if (Array.isArray(v)) out[spec.key] = v.join(',');
    else if (typeof v === 'object' && v !== null) out[spec.key] = String((v as { kind?: unknown }).kind ?? '');
    else out[spec.key] = String(v);
  }
  return out;
}

/** A class index by the model's label ("7", or "1: versicolor"). */
function className(summary: ModelSummary | undefined, index: number): string {
  const label = summary?.sidecar.sidecar.labels?.[index];
  return label !== undefined && label !== String(index) ? `${index}: ${label}` : String(index);
}

/**
 * A run's options in words, for history rows: `name` (the method), then each option it took that
 * is not the default (class indices by the model's labels): ["Integrated Gradients", "steps 32", "target class 7"].
 */
export function describeOptions(request: OptionRequest, options: Record<string, unknown>, name: string, summary?: ModelSummary): string[] {
  const parts = [name];
  for (const spec of panelFields(request, String(options.method))) {
    const v = options[spec.key];
    if (v === undefined || (spec.type !== 'classIndex' && spec.default !== undefined && JSON.stringify(v) === JSON.stringify(spec.default))) continue;
    const text =
      spec.type === 'classIndex' && typeof v === 'number' ? className(summary, v)
      : typeof v === 'boolean' ? (v ? 'on' : 'off')
      : Array.isArray(v) ? v.join(', ')
      : typeof v === 'object' && v !== null ? String((v as { kind?: unknown }).kind ?? JSON.stringify(v))
      : String(v);
    parts.push(spec.type === 'boolean' ? `${spec.label} ${text}` : `${spec.label.toLowerCase()} ${text}`);
  }
  return parts;
}
