/**
 * The Influence form: the method, the input whose prediction to trace (the host's list, shared
 * with Explain), the options the method takes (the test point's label, the parameter scope as a
 * checklist of the model's layers, solver, damping, how many), the training set, and Find; or
 * both influence functions and TracIn on the same input, side by side.
 */
import { INFLUENCE_METHODS, type InfluenceMethod } from '../../../../src/protocol/influence';
import { checkSectionOptions, INFLUENCE_METHOD_NAMES, type InfluencePanelOptions } from '../../../../src/protocol/webview';
import { button } from '../../components';
import { h } from '../../dom';
import { post } from '../../messaging';
import { field, formOptions, inputDropdown, methodDropdown, optionControls, runControls } from '../form';
import { requestCompare, requestRun } from '../section';
import { saveForm, type InfluenceStore } from './store';

const CHOICE_LABELS: Record<string, string> = { cg: 'Conjugate gradient', lissa: 'LiSSA', exact: 'Exact (Cholesky)' };

export function renderForm(store: InfluenceStore, redraw: () => void): HTMLElement {
  const self = store.method === 'self';
  const method = methodDropdown(store, INFLUENCE_METHODS, INFLUENCE_METHOD_NAMES, { save: () => saveForm(store), redraw, ariaLabel: 'Influence method', testId: 'influence-method' });
  const input = inputDropdown(store.inputs, store.selected, (index) => (store.selected = index), 'Input whose prediction to trace', 'influence-input');
  const options = optionControls({
    request: 'influence',
    method: store.method,
    values: store.values,
    summary: store.summary,
    testPrefix: 'influence',
    choiceLabels: CHOICE_LABELS,
    onChange: (key, value) => {
      store.values = { ...store.values, [key]: value };
      store.formError = undefined;
      saveForm(store);
    },
  });
  const both = self ? null : button('Influence functions vs TracIn', () => findClicked(store, redraw, ['influence', 'tracin']), 'secondary', 'influence-vs-tracin');
  if (both) both.title = 'Run both on this input and show them side by side';
  return h(
    'div',
    { class: 'explain-form influence-form' },
    field('Method', method),
    self ? null : field('Input', input),
    ...options,
    renderTrain(store),
    runControls('influence', 'Find', !!store.running, () => findClicked(store, redraw, [store.method]), store.formError, ...(both ? [both] : [])),
  );
}

function renderTrain(store: InfluenceStore): HTMLElement {
  const t = store.train;
  if (t.source === 'none') {
    return h(
      'div',
      { class: 'influence-train missing', 'data-testid': 'influence-train' },
      h('span', {}, 'No training set: the sidecar names none (data.train).'),
      button('Choose training data…', () => post({ type: 'chooseTrain' }), 'secondary', 'influence-choose-train'),
      button('Edit sidecar', () => post({ type: 'openSidecar' })),
    );
  }
  const change = h('button', { class: 'link-button', type: 'button', title: 'Use another folder or file as the training set', 'data-testid': 'influence-change-train' }, 'Change…');
  change.addEventListener('click', () => post({ type: 'chooseTrain' }));
  return h(
    'div',
    { class: 'influence-train', 'data-testid': 'influence-train' },
    h('span', { class: 'field-label' }, 'Training set'),
    h('code', {}, t.label ?? ''),
    h('span', { class: 'muted' }, t.source === 'sidecar' ? '(sidecar)' : '(chosen)'),
    change,
  );
}

/** Find (one method) or the comparison (several): the form's values as each method's options, checked as the host checks them. */
function findClicked(store: InfluenceStore, redraw: () => void, methods: InfluenceMethod[]): void {
  const variants: InfluencePanelOptions[] = [];
  for (const m of methods) {
    const raw = formOptions('influence', m, undefined, store.values);
    const { problem } = checkSectionOptions('influence', raw);
    if (problem) {
      store.formError = problem;
      redraw();
      return;
    }
    variants.push(raw as InfluencePanelOptions);
  }
  const self = methods[0] === 'self';
  if (!self && !store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  const input = self ? undefined : store.selected;
  if (variants.length > 1) requestCompare('influence', input, variants);
  else requestRun('influence', input, variants[0]);
}
