/**
 * What the panel's run sections (Explain, Influence, and the ones the next issues add) share: the
 * generic run lifecycle (sectionRun → sectionRunning… → sectionResult | sectionError, superseded
 * runs' late messages dropped), mounting, the host's input list, the running / failed status
 * lines, the result's facts, and keeping the latest result in the webview's state so a reloaded
 * window draws it at once.
 */
import type { ModelSummary } from '../../../src/protocol/model';
import type { ExplainInput, SectionId, SectionMessage, Sections } from '../../../src/protocol/webview';
import { button, progressRing } from '../components';
import { h } from '../dom';
import { post, saved } from '../messaging';

type Of<S extends SectionId, T extends SectionMessage['type']> = Extract<SectionMessage<S>, { type: T }>;

export interface SectionState<S extends SectionId> {
  section: S;
  summary?: ModelSummary;
  root?: HTMLElement;
  inputs: ExplainInput[];
  selected: number;
  latestRun: number;
  running?: Of<S, 'sectionRunning'>;
  result?: Of<S, 'sectionResult'>;
  error?: Of<S, 'sectionError'>;
  formError?: string;
}

export function sectionState<S extends SectionId>(section: S): SectionState<S> {
  return { section, inputs: [], selected: 0, latestRun: 0 };
}

/** The section's root `<section>` (class and test id `name`); `update` draws into it now and on each message. */
export function mount<S extends SectionId>(state: SectionState<S>, summary: ModelSummary, update: () => void): HTMLElement {
  state.summary = summary;
  const root = h('section', { class: state.section, 'data-testid': state.section });
  state.root = root;
  update();
  return root;
}

/** The host's input list arrived: keep the selection inside it. */
export function takeInputs<S extends SectionId>(state: SectionState<S>, message: { inputs: ExplainInput[]; selected: number }): void {
  state.inputs = message.inputs;
  state.selected = Math.max(0, Math.min(message.selected, message.inputs.length - 1));
}

/**
 * A run message of this section: running, result or error. False (and nothing changes) for a
 * message of a run older than the latest seen, i.e. a superseded run answering late.
 */
export function applyRun<S extends SectionId>(state: SectionState<S>, message: SectionMessage<S>): boolean {
  if (message.run < state.latestRun) return false;
  state.latestRun = message.run;
  switch (message.type) {
    case 'sectionRunning':
      state.running = message as Of<S, 'sectionRunning'>;
      state.error = undefined;
      break;
    case 'sectionResult':
      state.running = undefined;
      state.error = undefined;
      state.result = message as Of<S, 'sectionResult'>;
      break;
    case 'sectionError':
      state.running = undefined;
      state.error = message as Of<S, 'sectionError'>;
      break;
  }
  if (message.type !== 'sectionError' && message.input >= 0 && message.input < state.inputs.length) state.selected = message.input;
  const s = saved.get();
  saved.update({
    runs: { ...s.runs, [state.section]: message.run },
    ...(message.type === 'sectionResult' ? { results: { ...s.results, [state.section]: message } } : {}),
  });
  return true;
}

/** Asks the host to run the section on inputs[input] (none for runs without an input). */
export function requestRun<S extends SectionId>(section: S, input: number | undefined, options: Sections[S]['options']): void {
  post({ type: 'sectionRun', section, ...(input === undefined ? {} : { input }), options } as Parameters<typeof post>[0]);
}

export function cancelRun(section: SectionId): void {
  post({ type: 'sectionCancel', section });
}

/** Tells the host the panel has drawn this run's result. */
export function rendered(section: SectionId, run: number): void {
  post({ type: 'sectionRendered', section, run });
}

/** The result the webview kept for this section across a reload, if any. */
export function savedResult<S extends SectionId>(section: S): Of<S, 'sectionResult'> | undefined {
  const r = saved.get().results?.[section];
  return r && r.type === 'sectionResult' && r.section === section ? (r as Of<S, 'sectionResult'>) : undefined;
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
