/** The Concepts section's state: the generic run state, the form's choices and what the host offers to run on. */
import type { ConceptsMethod, ToWebview } from '../../../../src/protocol/webview';
import { saved } from '../../messaging';
import { restoreValues, type FormValues } from '../form';
import { sectionState, type SectionState } from '../section';

export interface ConceptsStore extends SectionState<'concepts'> {
  method: ConceptsMethod;
  /** The class's index as text ('' until chosen: the first class). */
  classValue: string;
  /** TCAV's layers (undefined until chosen: the last two layers with weights before the output). */
  tcavLayers?: string[];
  /** The probes' layers (none: every layer). */
  probeLayers: string[];
  /** The concepts ticked, by name (undefined until chosen: all that are offered). */
  concepts?: string[];
  /** The generic options' values (runs, significance level, Bonferroni) as typed. */
  values: FormValues;
  data: Extract<ToWebview, { type: 'conceptData' }>;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

export function createStore(): ConceptsStore {
  const form = saved.get().conceptsForm ?? {};
  return {
    ...sectionState('concepts'),
    method: form.method === 'probe' ? 'probe' : 'tcav',
    classValue: typeof form.classValue === 'string' ? form.classValue : '',
    tcavLayers: strings(form.tcavLayers),
    probeLayers: strings(form.probeLayers) ?? [],
    concepts: strings(form.concepts),
    values: restoreValues(form.values as Record<string, unknown> | undefined),
    data: { type: 'conceptData', concepts: [], random: { source: 'none' }, probeData: { source: 'none' } },
  };
}

export function saveForm(store: ConceptsStore): void {
  const { method, classValue, tcavLayers, probeLayers, concepts, values } = store;
  saved.update({ conceptsForm: { method, classValue, tcavLayers, probeLayers, concepts, values } });
}
