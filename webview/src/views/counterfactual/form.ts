/**
 * The Counterfactuals form: the input (the host's list, shared with Explain), the method (automatic,
 * or one the input's kind takes), the target class (default: the runner-up, which the host picks),
 * and the options of the method (a CSV's row, how many, the margin, steps, …), generated from the
 * counterfactual option schemas; Find sends exactly what the controls show.
 */
import { checkSectionOptions, COUNTERFACTUAL_METHOD_NAMES, type CounterfactualPanelOptions } from '../../../../src/protocol/webview';
import { h } from '../../dom';
import { post } from '../../messaging';
import { field, formOptions, inputDropdown, methodDropdown, optionControls, runControls } from '../form';
import { requestRun } from '../section';
import { inputKind, methodsFor, offeredKeys, saveForm, type CounterfactualStore } from './store';

export function renderForm(store: CounterfactualStore, redraw: () => void): HTMLElement {
  // Another input may be of another kind: a method it does not take falls back to automatic.
  if (!methodsFor(store).includes(store.method)) store.method = 'auto';
  const input = inputDropdown(
    store.inputs,
    store.selected,
    (index) => {
      store.selected = index;
      redraw(); // the input's kind decides the methods and options
    },
    'Input whose decision to change',
    'counterfactual-input',
  );
  const method = methodDropdown(store, methodsFor(store), COUNTERFACTUAL_METHOD_NAMES, { save: () => saveForm(store), redraw, ariaLabel: 'Counterfactual method', testId: 'counterfactual-method' });
  const options = optionControls({
    request: 'counterfactual',
    method: store.method,
    kind: inputKind(store),
    values: store.values,
    summary: store.summary,
    testPrefix: 'counterfactual',
    keys: offeredKeys(store),
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
    { class: 'explain-form counterfactual-form' },
    field('Input', input),
    field('Method', method),
    ...options,
    runControls('counterfactual', 'Find', !!store.running, () => findClicked(store, redraw), store.formError),
  );
}

/** Find: the form's values as options, checked by the same schemas the host checks with. */
export function findClicked(store: CounterfactualStore, redraw: () => void): void {
  if (!store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  const raw = formOptions('counterfactual', store.method, inputKind(store), store.values, offeredKeys(store));
  const { problem } = checkSectionOptions('counterfactual', raw);
  if (problem) {
    store.formError = problem;
    redraw();
    return;
  }
  store.formError = undefined;
  requestRun('counterfactual', store.selected, raw as CounterfactualPanelOptions);
}
