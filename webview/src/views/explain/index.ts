/**
 * The Explain section: the form (form.ts) and the result: the heatmap (heatmap.ts), tokens or
 * feature rows (features.ts), the details and faithfulness plots (plots.ts), and comparisons of
 * methods (compare.ts). Its runs, history and comparisons go through the panel's generic section
 * machinery (../section.ts).
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import type { HistoryEntry, SectionMessage, ToWebview } from '../../../../src/protocol/webview';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { toGrid } from '../../../../src/shared/heatmap';
import { h } from '../../dom';
import { describeOptions, valuesFrom } from '../form';
import { mount, onSectionMessage, redraw, savedResult, applyRun, takeInputs, type SectionView } from '../section';
import { compareHeader, renderCard } from './compare';
import { renderFeatures } from './features';
import { renderForm, runClicked } from './form';
import { renderHeatmap, type Run } from './heatmap';
import { renderDetails } from './plots';
import { createStore, saveForm } from './store';

const store = createStore();
// A reloaded window draws the last result at once; the host sends it (and anything newer) again.
const kept = savedResult('explain');
if (kept) applyRun(store, kept);

const update = (): void => redraw(store, view);

const view: SectionView<'explain'> = {
  title: 'Explain',
  form: () => renderForm(store, update),
  empty: () => h('p', { class: 'explain-empty' }, 'Pick an input and a method, then Run: the heatmap shows which input features moved the target class. Compare methods… runs several on the same input.'),
  runText: (run) => `${METHOD_NAMES[run.options.method]} on ${run.inputLabel}`,
  cardTitle: (run) => METHOD_NAMES[run.options.method],
  result: (run) => renderResult(run as Run),
  card: (run, all) => renderCard(store, run as Run, all as Run[]),
  compare: (runs) => compareHeader(store, runs as Run[], () => redraw(store, view, ['result'])),
  entryParts: (entry: HistoryEntry) => describeOptions('saliency', entry.options, METHOD_NAMES[entry.options.method as keyof typeof METHOD_NAMES] ?? String(entry.options.method), store.summary),
};

function renderResult(run: Run): HTMLElement {
  const r = run.result;
  const visual = toGrid(r.attribution, store.view.signed) ? renderHeatmap(store, run, update) : renderFeatures(store, run, update);
  return h('div', { class: 'explain-result', 'data-testid': 'explain-result', 'data-run': String(run.run) }, visual, renderDetails(run));
}

/** The section inside the model summary; it redraws itself as the host's messages arrive. */
export function renderExplain(summary: ModelSummary): HTMLElement {
  return mount(store, summary, view);
}

type ExplainMessage =
  | Extract<ToWebview, { type: 'explainInputs' }>
  | SectionMessage<'explain'>
  | Extract<ToWebview, { type: 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: 'explain' }>;

export function onExplainMessage(message: ExplainMessage): void {
  if (message.type === 'explainInputs') {
    takeInputs(store, message);
    redraw(store, view, ['form']);
    return;
  }
  if ((message.type === 'sectionRunning' && message.run > store.latestRun && !message.group) || (message.type === 'sectionResult' && message.run >= store.latestRun && !message.group)) {
    // The form shows what the latest run used (it may have come from a command, or an older form state after a reload).
    store.method = message.options.method;
    store.values = valuesFrom('saliency', message.options, store.values);
    saveForm(store);
  }
  onSectionMessage(store, view, message);
}

/** A sample card's "Explain": select that sample (samples come first in the host's list) and run. */
export function explainSample(sample: number): void {
  if (sample >= store.inputs.length || store.inputs[sample].source !== 'sample') return;
  store.selected = sample;
  update();
  runClicked(store, update);
}
