/** The ICL section's state: the generic run state, the panel's spec and providers, the form's values and the query shown. */
import type { IclProviderChoice, IclSpecView } from '../../../../src/protocol/webview';
import { saved } from '../../messaging';
import { restoreValues, type FormValues } from '../form';
import { sectionState, type SectionState } from '../section';

export interface IclStore extends SectionState<'icl'> {
  spec?: IclSpecView;
  /** The host's providers (a run's `input` is an index into them), and why some are not offered. */
  providers: IclProviderChoice[];
  notes: string[];
  /** The form's values by option key (variants: comma-separated), the one source of truth of what Compare sends. */
  values: FormValues;
  /** The query whose prompts the comparison shows, by index in the spec. */
  query: number;
  /** Shade tokens by their raw saliency on one scale (default: each as a share of its prompt's Σ|saliency|). */
  rawSaliency: boolean;
}

export function createStore(): IclStore {
  const s = saved.get();
  return { ...sectionState('icl'), providers: [], notes: [], values: restoreValues(s.iclForm), query: Math.max(0, s.iclQuery ?? 0), rawSaliency: s.iclRawSaliency === true };
}

export function saveForm(store: IclStore): void {
  saved.update({ iclForm: store.values });
}
