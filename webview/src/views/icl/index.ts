/**
 * The ICL panel: the prompt spec (what it holds, a problem with it in one line) and its one section,
 * the label-flip comparison: the form (form.ts) and the result (result.ts). Its runs, history and
 * side-by-side views of two kept runs go through the panel's generic section machinery (../section.ts).
 */
import type { IclVariant } from '../../../../src/protocol/icl';
import type { HistoryEntry, IclSpecView, SectionMessage, ToWebview } from '../../../../src/protocol/webview';
import { escapeTemplate } from '../../../../src/shared/icl/templateGuess';
import { button, tag } from '../../components';
import { formatCount, h } from '../../dom';
import { post } from '../../messaging';
import { onThemeChange } from '../../theme';
import { describeOptions, valuesFrom } from '../form';
import { applyRun, mount, onSectionMessage, redraw, savedResult, type SectionView } from '../section';
import { renderForm } from './form';
import { renderResult, variantsText, type Run } from './result';
import { createStore, saveForm } from './store';

type IclMessage =
  | Extract<ToWebview, { type: 'iclProviders' | 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: 'icl' }>
  | SectionMessage<'icl'>;

const store = createStore();
const kept = savedResult('icl');
if (kept) applyRun(store, kept);

const update = (): void => redraw(store, view);
// Prompt tokens are shaded into the theme's page colour: a new theme shades them again.
onThemeChange(() => store.result && redraw(store, view, ['result']));

const view: SectionView<'icl'> = {
  title: 'Label-flip comparison',
  form: () => renderForm(store, update),
  empty: () =>
    h(
      'p',
      { class: 'muted' },
      "Compare sends every query under each variant: do the model's predictions follow flipped demonstration labels, and which prompt tokens (demonstration labels, inputs, the query) carry its answer? Choose the variants and the token saliency, then Compare.",
    ),
  runText: (run) => `${variantsText(run.options.variants)} on ${run.inputLabel}`,
  cardTitle: (run) => run.inputLabel,
  result: (run) => renderResult(store, run as Run, () => redraw(store, view, ['result'])),
  card: (run) => renderResult(store, run as Run, () => redraw(store, view, ['result'])),
  entryParts: (entry: HistoryEntry) => [variantsText(entry.options.variants as IclVariant[] | undefined), ...describeOptions('icl', { ...entry.options, variants: undefined }, '').slice(1)],
};

/** The panel: the spec's header, then the comparison section (none when the spec does not parse). */
export function renderIclPanel(spec: IclSpecView): HTMLElement {
  store.spec = spec;
  const actions = h(
    'div',
    { class: 'actions' },
    button(spec.fromSelection ? 'Open the spec built from the selection' : 'Open spec', () => post({ type: 'iclAction', action: 'openSpec' }), 'secondary', 'icl-open-spec'),
    button('Reload', () => post({ type: 'reload' })),
    button('Show log', () => post({ type: 'showLog' })),
  );
  return h(
    'section',
    { class: 'summary icl-panel', 'data-testid': 'icl-panel' },
    h('header', {}, h('h1', { 'data-testid': 'icl-spec-name' }, spec.name), h('div', { class: 'tags' }, tag(spec.fromSelection ? 'selected prompt' : 'ICL prompt spec'))),
    spec.description && !spec.fromSelection ? h('p', { class: 'description' }, spec.description) : null,
    spec.problem
      ? h('div', { class: 'explain-status error', role: 'alert', 'data-testid': 'icl-spec-problem' }, h('strong', {}, 'The spec cannot be used'), h('span', { class: 'message' }, spec.problem))
      : h(
          'dl',
          { class: 'stats' },
          stat('Labels', spec.labels.join(', '), 'icl-labels'),
          stat('Demonstrations', formatCount(spec.demonstrations)),
          stat('Queries', formatCount(spec.queries)),
        ),
    spec.template ? h('p', { class: 'icl-template' }, h('span', { class: 'muted' }, 'Template '), h('code', {}, escapeTemplate(spec.template))) : null,
    actions,
    spec.problem ? null : mount(store, undefined, view),
  );
}

function stat(label: string, value: string, testId?: string): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', testId ? { 'data-testid': testId } : {}, value));
}

export function onIclMessage(message: IclMessage): void {
  switch (message.type) {
    case 'iclProviders':
      store.providers = message.providers;
      store.notes = message.notes;
      store.selected = Math.max(0, Math.min(message.selected, message.providers.length - 1));
      redraw(store, view, ['form']);
      return;
    default:
      if ((message.type === 'sectionRunning' && message.run > store.latestRun) || (message.type === 'sectionResult' && message.run >= store.latestRun)) {
        // A run the host started (the command) shows its provider and options in the form.
        if (message.input >= 0 && message.input < store.providers.length) store.selected = message.input;
        store.values = valuesFrom('icl', message.options, store.values);
        saveForm(store);
      }
      onSectionMessage(store, view, message);
  }
}
