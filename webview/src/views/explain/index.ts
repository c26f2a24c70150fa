/**
 * The Explain section: the form (form.ts), the run's status, and the result (heatmap.ts, plots.ts).
 * Its runs go through the panel's generic section lifecycle (../section.ts).
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import type { SectionMessage, ToWebview } from '../../../../src/protocol/webview';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { h } from '../../dom';
import { valuesFrom } from '../form';
import { applyRun, failedStatus, mount, runningStatus, savedResult, takeInputs } from '../section';
import { renderForm, runClicked } from './form';
import { renderResult, type Run } from './heatmap';
import { createStore, saveForm } from './store';

const store = createStore();
// A reloaded window draws the last result at once; the host sends it (and anything newer) again.
const kept = savedResult('explain');
if (kept) applyRun(store, kept);

/** The section inside the model summary; it redraws itself as the host's messages arrive. */
export function renderExplain(summary: ModelSummary): HTMLElement {
  return mount(store, summary, update);
}

export function onExplainMessage(message: Extract<ToWebview, { type: 'explainInputs' }> | SectionMessage<'explain'>): void {
  if (message.type === 'explainInputs') takeInputs(store, message);
  else {
    if (!applyRun(store, message)) return;
    if (message.type !== 'sectionError') {
      // The form shows what the latest run used (it may have come from a command, not the form).
      store.method = message.options.method;
      store.values = valuesFrom('saliency', message.options, store.values);
      saveForm(store);
    }
  }
  update();
}

/** A sample card's "Explain": select that sample (samples come first in the host's list) and run. */
export function explainSample(sample: number): void {
  if (sample >= store.inputs.length || store.inputs[sample].source !== 'sample') return;
  store.selected = sample;
  update();
  runClicked(store, update);
  store.root?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/** Redraws the section from the store (if it is on screen). */
function update(): void {
  const root = store.root;
  if (!root) return;
  const parts = [
    h('h2', {}, 'Explain'),
    renderForm(store, update),
    renderStatus(),
    store.result ? renderResult(store, store.result as Run, update) : h('p', { class: 'explain-empty' }, 'Pick an input and a method, then Run: the heatmap shows which input features moved the target class.'),
  ];
  root.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
}

function renderStatus(): HTMLElement | null {
  const r = store.running;
  if (r) return runningStatus('explain', `${METHOD_NAMES[r.options.method]} on ${r.inputLabel}`);
  const e = store.error;
  return e ? failedStatus('explain', `${METHOD_NAMES[e.options.method]} on ${e.inputLabel}`, e) : null;
}
