/** The Influence section's state: the generic run state, the form's values, the training set and the reviewed suspects. */
import { INFLUENCE_METHODS, type InfluenceMethod } from '../../../../src/protocol/influence';
import type { ToWebview } from '../../../../src/protocol/webview';
import { saved } from '../../messaging';
import { restoreValues, type FormValues } from '../form';
import { sectionState, type SectionState } from '../section';

export interface InfluenceStore extends SectionState<'influence'> {
  method: InfluenceMethod;
  /** The form's values by option key: the one source of truth of what Find sends. */
  values: FormValues;
  train: Extract<ToWebview, { type: 'influenceTrain' }>;
  /** Ids of suspicious examples the user marked as reviewed (kept across reloads). */
  reviewed: Set<string>;
}

export function createStore(): InfluenceStore {
  const form = saved.get().influenceForm;
  const method = INFLUENCE_METHODS.includes(form?.method as InfluenceMethod) ? (form!.method as InfluenceMethod) : 'influence';
  const { method: _m, ...values } = restoreValues(form);
  return { ...sectionState('influence'), method, values, train: { type: 'influenceTrain', source: 'none' }, reviewed: new Set(saved.get().influenceReviewed ?? []) };
}

export function saveForm(store: InfluenceStore): void {
  saved.update({ influenceForm: { ...store.values, method: store.method } });
}
