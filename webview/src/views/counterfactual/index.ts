/**
 * The Counterfactuals section: what is the smallest feasible change to this input that makes the
 * model predict another class? The form (form.ts) and the result (result.ts): the row beside each
 * counterfactual, the images and their difference, or the sentence with its edits. Runs, history
 * and side-by-side go through the panel's generic section machinery (../section.ts).
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import { COUNTERFACTUAL_METHOD_NAMES, type HistoryEntry, type SectionMessage, type ToWebview } from '../../../../src/protocol/webview';
import type { CounterfactualMethodChoice } from '../../../../src/protocol/counterfactual';
import { h } from '../../dom';
import { describeOptions, valuesFrom } from '../form';
import { applyRun, mount, onSectionMessage, redraw, savedResult, takeInputs, type SectionView } from '../section';
import { findClicked, renderForm } from './form';
import { renderResult, type Run } from './result';
import { createStore, saveForm } from './store';

type CounterfactualMessage =
  | Extract<ToWebview, { type: 'explainInputs' | 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: 'counterfactual' }>
  | SectionMessage<'counterfactual'>;

const store = createStore();
const kept = savedResult('counterfactual');
if (kept) applyRun(store, kept);

const update = (): void => redraw(store, view);
const methodName = (m: unknown): string => COUNTERFACTUAL_METHOD_NAMES[m as CounterfactualMethodChoice] ?? String(m);

const view: SectionView<'counterfactual'> = {
  title: 'Counterfactuals',
  form: () => renderForm(store, update),
  empty: () =>
    h(
      'p',
      { class: 'muted' },
      "What is the smallest change to this input that makes the model predict another class? Find searches within the sidecar's constraints (immutable features, ranges) for the runner-up class unless you choose one. On a CSV, Find Counterfactual works on the row under the cursor too.",
    ),
  runText: (run) => `Counterfactuals for ${run.inputLabel}`,
  cardTitle: (run) => methodName(run.options.method),
  result: (run) => renderResult(run as Run),
  card: (run) => renderResult(run as Run, true),
  entryParts: (entry: HistoryEntry) => describeOptions('counterfactual', entry.options, methodName(entry.options.method), store.summary),
};

export function renderCounterfactuals(summary: ModelSummary): HTMLElement {
  return mount(store, summary, view);
}

export function onCounterfactualMessage(message: CounterfactualMessage): void {
  switch (message.type) {
    case 'explainInputs':
      takeInputs(store, message);
      redraw(store, view, ['form']);
      return;
    default:
      if ((message.type === 'sectionRunning' && message.run > store.latestRun && !message.group) || (message.type === 'sectionResult' && message.run >= store.latestRun && !message.group)) {
        // A run the host started (e.g. from the command) shows its method and options in the form.
        store.method = message.options.method ?? 'auto';
        store.values = valuesFrom('counterfactual', message.options, store.values);
        saveForm(store);
      }
      onSectionMessage(store, view, message);
  }
}

/** A sample card's "Counterfactual": select that sample (samples come first in the host's list) and find. */
export function counterfactualSample(sample: number): void {
  if (sample >= store.inputs.length || store.inputs[sample].source !== 'sample') return;
  store.selected = sample;
  update();
  findClicked(store, update);
}
