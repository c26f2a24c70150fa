/**
 * The Explain form: the input (the host's list; "Choose file…" asks the host for a dialog), the
 * method, and the options that method takes for this kind of input, generated from the saliency
 * option schemas; Run sends exactly what the controls show.
 */
import { SALIENCY_METHODS, type SaliencyMethod } from '../../../../src/protocol/saliency';
import { checkSectionOptions } from '../../../../src/protocol/webview';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { dropdown } from '../../components';
import { h } from '../../dom';
import { post } from '../../messaging';
import { field, formOptions, inputDropdown, optionControls, runControls } from '../form';
import { cancelRun, requestRun } from '../section';
import { inputKind, saveForm, type ExplainStore } from './store';

/** Display names of the enum and baseline choices (labels only: values and defaults are the schemas'). */
const CHOICE_LABELS: Record<string, string> = {
  zeros: 'Zeros',
  blur: 'Blurred input',
  uniform: 'Uniform noise',
  smoothgrad: 'SmoothGrad',
  'smoothgrad-squared': 'SmoothGrad²',
  vargrad: 'VarGrad',
};

export function renderForm(store: ExplainStore, redraw: () => void): HTMLElement {
  const input = inputDropdown(
    store.inputs,
    store.selected,
    (index) => {
      store.selected = index;
      redraw(); // the input's kind decides which options apply
    },
    'Input to explain',
    'explain-input',
  );
  const method = dropdown(
    SALIENCY_METHODS.map((m) => ({ value: m, label: METHOD_NAMES[m] })),
    store.method,
    (value) => {
      store.method = value as SaliencyMethod;
      store.formError = undefined;
      saveForm(store);
      redraw();
    },
    'Attribution method',
    'explain-method',
  );
  const options = optionControls({
    request: 'saliency',
    method: store.method,
    kind: inputKind(store),
    values: store.values,
    summary: store.summary,
    testPrefix: 'explain',
    choiceLabels: CHOICE_LABELS,
    onChange: (key, value) => {
      store.values = { ...store.values, [key]: value };
      store.formError = undefined;
      saveForm(store);
      // Another head has other classes: the target list is drawn again.
      if (key === 'output') redraw();
    },
  });
  return h(
    'div',
    { class: 'explain-form' },
    field('Input', input),
    field('Method', method),
    ...options,
    runControls('explain', 'Run', !!store.running, () => runClicked(store, redraw), () => cancelRun('explain'), store.formError),
  );
}

/** Run: the form's values as options, checked by the same schemas the host checks with. */
export function runClicked(store: ExplainStore, redraw: () => void): void {
  if (!store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  // Sent as the form holds them; the host parses them again (and fills in the defaults).
  const raw = formOptions('saliency', store.method, inputKind(store), store.values);
  const { problem } = checkSectionOptions('explain', raw);
  if (problem) {
    store.formError = problem;
    redraw();
    return;
  }
  requestRun('explain', store.selected, raw as never);
}
