/**
 * The webview's component layer. Views build UI only through these functions, so the deprecated
 * @vscode/webview-ui-toolkit can be swapped for @vscode-elements/elements in this one file.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTag,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

provideVSCodeDesignSystem().register(
  vsCodeButton(),
  vsCodeBadge(),
  vsCodeCheckbox(),
  vsCodeDivider(),
  vsCodeDropdown(),
  vsCodeOption(),
  vsCodeProgressRing(),
  vsCodeTag(),
  vsCodeTextField(),
);

export function button(label: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary', testId?: string): HTMLElement {
  const el = document.createElement('vscode-button');
  el.setAttribute('appearance', appearance);
  el.textContent = label;
  el.addEventListener('click', onClick);
  if (testId) el.dataset.testid = testId;
  return el;
}

export function tag(text: string, testId?: string): HTMLElement {
  const el = document.createElement('vscode-tag');
  el.textContent = text;
  if (testId) el.dataset.testid = testId;
  return el;
}

export function progressRing(): HTMLElement {
  return document.createElement('vscode-progress-ring');
}

export function divider(): HTMLElement {
  return document.createElement('vscode-divider');
}

export interface Choice {
  value: string;
  label: string;
}

/**
 * The value an option gets for the choice '' (e.g. "Predicted class"). The toolkit's dropdown picks
 * as its initial selection the first option that is `selected` *or whose value equals its own
 * initial value, ''*: an option valued '' would win over the selected one, so the dropdown would
 * show it while the form still held another value. No option is ever valued ''.
 */
const EMPTY_CHOICE = '\u2205';

/** A single-choice dropdown showing `value`; `onChange` gets the chosen value. */
export function dropdown(choices: Choice[], value: string, onChange: (value: string) => void, ariaLabel: string, testId?: string): HTMLElement {
  const el = document.createElement('vscode-dropdown');
  el.setAttribute('aria-label', ariaLabel);
  const encode = (v: string) => (v === '' ? EMPTY_CHOICE : v);
  for (const c of choices) {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', encode(c.value));
    option.textContent = c.label;
    if (c.value === value) option.setAttribute('selected', '');
    el.append(option);
  }
  el.dataset.value = value;
  el.addEventListener('change', () => {
    const chosen = (el as HTMLElement & { value: string }).value;
    const decoded = chosen === EMPTY_CHOICE ? '' : chosen;
    el.dataset.value = decoded;
    onChange(decoded);
  });
  if (testId) el.dataset.testid = testId;
  return el;
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void, testId?: string): HTMLElement {
  const el = document.createElement('vscode-checkbox');
  el.textContent = label;
  if (checked) el.setAttribute('checked', '');
  el.addEventListener('change', () => onChange((el as HTMLElement & { checked: boolean }).checked));
  if (testId) el.dataset.testid = testId;
  return el;
}

/** A labelled one-line text field; `onInput` gets the text on every keystroke. */
export function textField(label: string, value: string, onInput: (value: string) => void, opts: { size?: number; testId?: string; placeholder?: string } = {}): HTMLElement {
  const el = document.createElement('vscode-text-field');
  el.textContent = label;
  el.setAttribute('value', value);
  if (opts.size) el.setAttribute('size', String(opts.size));
  if (opts.placeholder) el.setAttribute('placeholder', opts.placeholder);
  el.addEventListener('input', () => onInput((el as HTMLElement & { value: string }).value));
  if (opts.testId) el.dataset.testid = opts.testId;
  return el;
}

/** A range slider (the toolkit has none: a themed native input). */
export function slider(min: number, max: number, step: number, value: number, onInput: (value: number) => void, ariaLabel: string, testId?: string): HTMLInputElement {
  const el = document.createElement('input');
  el.type = 'range';
  el.className = 'slider';
  el.min = String(min);
  el.max = String(max);
  el.step = String(step);
  el.value = String(value);
  el.setAttribute('aria-label', ariaLabel);
  el.addEventListener('input', () => onInput(Number(el.value)));
  if (testId) el.dataset.testid = testId;
  return el;
}
