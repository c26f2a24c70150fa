/**
 * What the panel's run sections (Explain, Influence) share: mounting, the host's input list, dropping
 * a superseded run's late messages, the running / failed status lines and the result's facts.
 */
import type { ModelSummary } from '../../../src/protocol/model';
import type { ExplainInput } from '../../../src/protocol/webview';
import { button, progressRing } from '../components';
import { h } from '../dom';
import { post } from '../messaging';

export interface SectionState {
  summary?: ModelSummary;
  root?: HTMLElement;
  inputs: ExplainInput[];
  selected: number;
  latestRun: number;
}

/** The section's root `<section>` (class and test id `name`); `update` draws into it now and on each message. */
export function mount(state: SectionState, summary: ModelSummary, name: string, update: () => void): HTMLElement {
  state.summary = summary;
  const root = h('section', { class: name, 'data-testid': name });
  state.root = root;
  update();
  return root;
}

/** The host's input list arrived: keep the selection inside it. */
export function takeInputs(state: SectionState, message: { inputs: ExplainInput[]; selected: number }): void {
  state.inputs = message.inputs;
  state.selected = Math.max(0, Math.min(message.selected, message.inputs.length - 1));
}

/** False for a message of a run older than the latest seen (a superseded run answering late). */
export function isLatest(state: SectionState, run: number): boolean {
  if (run < state.latestRun) return false;
  state.latestRun = run;
  return true;
}

/** "`what`…" with a spinner, then `extra` (e.g. progress). */
export function runningStatus(testId: string, what: string, ...extra: (HTMLElement | null)[]): HTMLElement {
  return h('div', { class: 'explain-status running', 'data-testid': `${testId}-running` }, progressRing(), h('span', {}, `${what}…`), ...extra);
}

/** "`what` was cancelled.", or "`what` failed" with the error's message, code and Show log. */
export function failedStatus(testId: string, what: string, e: { code: string; message: string }): HTMLElement {
  if (e.code === 'CANCELLED') return h('div', { class: 'explain-status cancelled', 'data-testid': `${testId}-cancelled` }, `${what} was cancelled.`);
  return h(
    'div',
    { class: 'explain-status error', 'data-testid': `${testId}-error`, role: 'alert' },
    h('strong', {}, `${what} failed`),
    h('span', { class: 'message' }, e.message),
    h('span', { class: 'code' }, e.code),
    button('Show log', () => post({ type: 'showLog' })),
  );
}

/** One entry of a result's facts list (`<dl>`), with an optional muted note. */
export function fact(label: string, value: HTMLElement, note?: string): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value, note ? h('span', { class: 'muted' }, ` · ${note}`) : null));
}
