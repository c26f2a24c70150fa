/** The Counterfactuals section's state: the generic run state and the form's values (method and options). */
import { COUNTERFACTUAL_KIND_METHODS, COUNTERFACTUAL_METHOD_CHOICES, type CounterfactualMethodChoice } from '../../../../src/protocol/counterfactual';
import { fieldSpecs } from '../../../../src/protocol/options';
import type { ExplainInput } from '../../../../src/protocol/webview';
import { saved } from '../../messaging';
import { restoreValues, type FormValues } from '../form';
import { sectionState, type SectionState } from '../section';

export interface CounterfactualStore extends SectionState<'counterfactual'> {
  method: CounterfactualMethodChoice;
  /** The form's values by option key: the one source of truth of what Find sends. */
  values: FormValues;
}

export function createStore(): CounterfactualStore {
  const form = saved.get().counterfactualForm;
  const method = COUNTERFACTUAL_METHOD_CHOICES.includes(form?.method as CounterfactualMethodChoice) ? (form!.method as CounterfactualMethodChoice) : 'auto';
  const { method: _m, ...values } = restoreValues(form);
  return { ...sectionState('counterfactual'), method, values };
}

export function saveForm(store: CounterfactualStore): void {
  saved.update({ counterfactualForm: { ...store.values, method: store.method } });
}

/** The kind of the selected input (the sidecar's kind before the host's list arrives). */
export function inputKind(store: CounterfactualStore): ExplainInput['kind'] {
  return store.inputs[store.selected]?.kind ?? store.summary?.sidecar.sidecar.input?.kind ?? 'tabular';
}

/** The methods the selected input's kind takes, automatic first. */
export function methodsFor(store: CounterfactualStore): CounterfactualMethodChoice[] {
  return ['auto', ...COUNTERFACTUAL_KIND_METHODS[inputKind(store)]];
}

/** The options the form offers: the chosen method's (auto: those of any method the input's kind takes). */
export function offeredKeys(store: CounterfactualStore): string[] {
  const methods: readonly string[] = store.method === 'auto' ? COUNTERFACTUAL_KIND_METHODS[inputKind(store)] : [store.method];
  return fieldSpecs('counterfactual')
    .filter((spec) => !spec.methods || spec.methods.some((m) => methods.includes(m)))
    .map((spec) => spec.key);
}
