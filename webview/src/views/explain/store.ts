/** The Explain section's state: the generic run state, the form's values and the heatmap's display choices. */
import { SALIENCY_METHODS, type SaliencyMethod } from '../../../../src/protocol/saliency';
import { HEATMAP_COLORMAPS, type ExplainInput, type HeatmapView } from '../../../../src/protocol/webview';
import { DEFAULT_VIEW } from '../../../../src/shared/heatmap';
import { saved } from '../../messaging';
import { restoreValues, type FormValues } from '../form';
import { sectionState, type SectionState } from '../section';

export interface ExplainStore extends SectionState<'explain'> {
  method: SaliencyMethod;
  /** The form's values by option key: the one source of truth of what Run sends. */
  values: FormValues;
  view: HeatmapView;
}

const DEFAULT_METHOD: SaliencyMethod = 'integrated-gradients';

export function createStore(): ExplainStore {
  const form = saved.get().explainForm;
  const method = SALIENCY_METHODS.includes(form?.method as SaliencyMethod) ? (form!.method as SaliencyMethod) : DEFAULT_METHOD;
  const { method: _m, ...values } = restoreValues(form);
  return { ...sectionState('explain'), method, values, view: restoreView() };
}

function restoreView(): HeatmapView {
  const v = saved.get().heatmap;
  return v && HEATMAP_COLORMAPS.includes(v.colormap) && typeof v.signed === 'boolean' && typeof v.opacity === 'number' ? v : { ...DEFAULT_VIEW };
}

export function saveForm(store: ExplainStore): void {
  saved.update({ explainForm: { ...store.values, method: store.method } });
}

/** The kind of the selected input (the sidecar's kind before the host's list arrives). */
export function inputKind(store: ExplainStore): ExplainInput['kind'] {
  return store.inputs[store.selected]?.kind ?? (store.summary?.sidecar.sidecar.input?.kind === 'tabular' ? 'tabular' : 'image');
}
