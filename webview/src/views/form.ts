/** Form pieces the panel's sections share: labelled fields, the input and class lists, Run / Cancel, saved fields. */
import type { ModelSummary } from '../../../src/protocol/model';
import type { ExplainInput } from '../../../src/protocol/webview';
import { button, dropdown, type Choice } from '../components';
import { h } from '../dom';
import { post } from '../messaging';

export function field(label: string, control: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control);
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

/** '' (the model's prediction, labelled `none`) then every output class, named by the sidecar's labels. */
export function classChoices(summary: ModelSummary | undefined, none: string): Choice[] {
  const choices: Choice[] = [{ value: '', label: none }];
  const shape = summary?.outputs[0]?.shape ?? [];
  const n = shape[shape.length - 1];
  const labels = summary?.sidecar.sidecar.labels ?? [];
  const count = typeof n === 'number' && n > 0 ? Math.min(n, 1000) : Math.min(labels.length, 1000);
  for (let i = 0; i < count; i++) choices.push({ value: String(i), label: labels[i] !== undefined && labels[i] !== String(i) ? `${i}: ${labels[i]}` : String(i) });
  return choices;
}

/**
 * The form's last row: `before` (e.g. an option), the run button (`label`, or "`label` again" while
 * a run computes, next to Cancel) and the form's error. Test ids are `${testId}-run`, `-cancel`, `-form-error`.
 */
export function runControls(
  testId: string,
  label: string,
  running: boolean,
  onRun: () => void,
  onCancel: () => void,
  formError: string | undefined,
  ...before: HTMLElement[]
): HTMLElement {
  return h(
    'div',
    { class: 'explain-run' },
    ...before,
    h(
      'div',
      { class: 'actions' },
      button(running ? `${label} again` : label, onRun, 'primary', `${testId}-run`),
      running ? button('Cancel', onCancel, 'secondary', `${testId}-cancel`) : null,
    ),
    formError ? h('p', { class: 'explain-form-error', 'data-testid': `${testId}-form-error` }, formError) : null,
  );
}

/** The fields saved in `saved` over `defaults`, each only where its type matches the default's. */
export function restoreFields<F extends object>(saved: Record<string, unknown> | undefined, defaults: F): F {
  const form = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof F & string)[]) {
    if (saved && typeof saved[key] === typeof defaults[key]) (form as Record<string, unknown>)[key] = saved[key];
  }
  return form;
}
