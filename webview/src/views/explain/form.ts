/**
 * The Explain form: the input (the host's list; "Choose file…" asks the host for a dialog), the
 * method, and the options that method takes for this kind of input, generated from the saliency
 * option schemas; Run sends exactly what the controls show. "Compare methods…" opens a row of
 * methods to run on the same input and target, each with its faithfulness metrics.
 */
import { SALIENCY_METHODS, type SaliencyMethod } from '../../../../src/protocol/saliency';
import { checkSectionOptions, MAX_GROUP, type ExplainOptions } from '../../../../src/protocol/webview';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { button, checkbox } from '../../components';
import { h } from '../../dom';
import { post } from '../../messaging';
import { field, formOptions, inputDropdown, methodDropdown, optionControls, runControls } from '../form';
import { requestCompare, requestRun } from '../section';
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
  const method = methodDropdown(store, SALIENCY_METHODS, METHOD_NAMES, { save: () => saveForm(store), redraw, ariaLabel: 'Attribution method', testId: 'explain-method' });
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
  const compareToggle = button(store.compareOpen ? 'Hide comparison' : 'Compare methods…', () => {
    store.compareOpen = !store.compareOpen;
    saveForm(store);
    redraw();
  }, 'secondary', 'explain-compare-toggle');
  compareToggle.setAttribute('aria-expanded', String(store.compareOpen));
  return h(
    'div',
    { class: 'explain-form' },
    field('Input', input),
    field('Method', method),
    ...options,
    runControls('explain', 'Run', !!store.running, () => runClicked(store, redraw), store.formError, compareToggle),
    store.compareOpen ? renderCompareRow(store, redraw) : null,
  );
}

/** The methods that apply to the selected input: no Grad-CAM for text or models without a 4-D layer. */
function applicableMethods(store: ExplainStore): SaliencyMethod[] {
  const spatial = (store.summary?.layers ?? []).some((l) => l.outputShape.some((s) => s.length === 4));
  return SALIENCY_METHODS.filter((m) => m !== 'grad-cam' || (spatial && inputKind(store) !== 'text'));
}

/** Compare methods: a checkbox per method, then Run comparison. */
function renderCompareRow(store: ExplainStore, redraw: () => void): HTMLElement {
  const methods = applicableMethods(store);
  const boxes = methods.map((m) =>
    checkbox(METHOD_NAMES[m], store.compareMethods.includes(m), (checked) => {
      store.compareMethods = checked ? [...new Set([...store.compareMethods, m])] : store.compareMethods.filter((x) => x !== m);
      saveForm(store);
    }, `explain-compare-${m}`),
  );
  return h(
    'fieldset',
    { class: 'compare-row', 'data-testid': 'explain-compare-row' },
    h('legend', {}, 'Methods to compare on this input and target (each with its faithfulness metrics)'),
    h('div', { class: 'compare-methods' }, ...boxes),
    button('Run comparison', () => compareClicked(store, redraw), 'primary', 'explain-compare-run'),
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

/** Run comparison: the ticked methods (that apply), each with the form's options it takes and metrics where there are any. */
function compareClicked(store: ExplainStore, redraw: () => void): void {
  if (!store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  const kind = inputKind(store);
  const methods = applicableMethods(store).filter((m) => store.compareMethods.includes(m)).slice(0, MAX_GROUP);
  if (methods.length < 2) {
    store.formError = 'Tick at least two methods to compare.';
    redraw();
    return;
  }
  const variants: ExplainOptions[] = [];
  for (const m of methods) {
    const raw = { ...formOptions('saliency', m, kind, store.values), metrics: kind !== 'text' };
    const { options, problem } = checkSectionOptions('explain', raw);
    if (!options) {
      store.formError = `${METHOD_NAMES[m]}: ${problem}`;
      redraw();
      return;
    }
    variants.push(raw as ExplainOptions);
  }
  store.formError = undefined;
  requestCompare('explain', store.selected, variants);
}
