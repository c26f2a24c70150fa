/**
 * The Influence section: which training examples made the model predict this? The form (form.ts)
 * and the result (result.ts): the test input, the header, and the galleries of proponents and
 * opponents, or the suspicious training examples. Influence functions and TracIn side by side
 * come with a note on why they can differ. Runs, history and comparisons go through the panel's
 * generic section machinery (../section.ts).
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import { INFLUENCE_METHOD_NAMES, type HistoryEntry, type SectionMessage, type ToWebview } from '../../../../src/protocol/webview';
import type { InfluenceMethod } from '../../../../src/protocol/influence';
import { h } from '../../dom';
import { describeOptions, valuesFrom } from '../form';
import { applyRun, mount, onSectionMessage, redraw, savedResult, takeInputs, type SectionView } from '../section';
import { renderForm } from './form';
import { disagreementNote, renderResult, type Run } from './result';
import { createStore, saveForm } from './store';

type InfluenceMessage =
  | Extract<ToWebview, { type: 'explainInputs' | 'influenceTrain' | 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: 'influence' }>
  | SectionMessage<'influence'>;

const store = createStore();
const kept = savedResult('influence');
if (kept) applyRun(store, kept);

const update = (): void => redraw(store, view);

const view: SectionView<'influence'> = {
  title: 'Influence',
  form: () => renderForm(store, update),
  empty: () =>
    h('p', { class: 'muted' }, 'Which training examples made the model predict this? Find ranks the training set by influence on one prediction: proponents helped it, opponents worked against it.'),
  runText: (run) => (run.options.method === 'self' ? INFLUENCE_METHOD_NAMES.self : `${INFLUENCE_METHOD_NAMES[run.options.method]} on ${run.inputLabel}`),
  cardTitle: (run) => INFLUENCE_METHOD_NAMES[run.options.method],
  result: (run) => renderResult(store, run as Run),
  card: (run) => renderResult(store, run as Run, true),
  compare: (runs) => ({ title: 'Side by side', note: disagreementNote(runs as Run[]), layout: 'pair' }),
  entryParts: (entry: HistoryEntry) => describeOptions('influence', entry.options, INFLUENCE_METHOD_NAMES[entry.options.method as InfluenceMethod] ?? String(entry.options.method), store.summary),
};

export function renderInfluence(summary: ModelSummary): HTMLElement {
  return mount(store, summary, view);
}

export function onInfluenceMessage(message: InfluenceMessage): void {
  switch (message.type) {
    case 'explainInputs':
      takeInputs(store, message);
      redraw(store, view, ['form']);
      return;
    case 'influenceTrain':
      store.train = message;
      redraw(store, view, ['form']);
      return;
    default:
      if ((message.type === 'sectionRunning' && message.run > store.latestRun && !message.group) || (message.type === 'sectionResult' && message.run >= store.latestRun && !message.group)) {
        // A run the host started (e.g. from the command) shows its method and options in the form.
        store.method = message.options.method;
        store.values = valuesFrom('influence', message.options, store.values);
        saveForm(store);
      }
      onSectionMessage(store, view, message);
  }
}
