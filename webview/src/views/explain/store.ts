/** The Explain section's state: the generic run state, the form's values, the heatmap's display choices and the comparison's. */
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
  /** How images are drawn (and exported). */
  view: HeatmapView;
  /** Tabular and text attributions are shown signed unless the user turns it off (LIT's default for text). */
  signedFeatures: boolean;
  /** Compare methods: which methods, and whether the maps share one colour scale. */
  compareMethods: SaliencyMethod[];
  sharedScale: boolean;
  compareOpen: boolean;
}

const DEFAULT_METHOD: SaliencyMethod = 'integrated-gradients';
/** What Compare methods runs unless the user picks others: one of each family. */
export const DEFAULT_COMPARE: readonly SaliencyMethod[] = ['gradient', 'integrated-gradients', 'smoothgrad', 'grad-cam', 'occlusion'];

export function createStore(): ExplainStore {
  const state = saved.get();
  const form = state.explainForm;
  const method = SALIENCY_METHODS.includes(form?.method as SaliencyMethod) ? (form!.method as SaliencyMethod) : DEFAULT_METHOD;
  const { method: _m, ...values } = restoreValues(form);
  const compare = state.explainCompare;
  const methods = (compare?.methods ?? []).filter((m): m is SaliencyMethod => SALIENCY_METHODS.includes(m as SaliencyMethod));
  return {
    ...sectionState('explain'),
    method,
    values,
    view: restoreView(),
    signedFeatures: state.signedFeatures !== false,
    compareMethods: methods.length >= 2 ? methods : [...DEFAULT_COMPARE],
    sharedScale: compare?.sharedScale === true,
    compareOpen: compare?.open === true,
  };
}

function restoreView(): HeatmapView {
  const v = saved.get().heatmap;
  return v && HEATMAP_COLORMAPS.includes(v.colormap) && typeof v.signed === 'boolean' && typeof v.opacity === 'number' ? v : { ...DEFAULT_VIEW };
}

export function saveForm(store: ExplainStore): void {
  saved.update({
    explainForm: { ...store.values, method: store.method },
    explainCompare: { methods: store.compareMethods, sharedScale: store.sharedScale, open: store.compareOpen },
    signedFeatures: store.signedFeatures,
  });
}

/** The kind of the selected input (the sidecar's kind before the host's list arrives). */
export function inputKind(store: ExplainStore): ExplainInput['kind'] {
  return store.inputs[store.selected]?.kind ?? store.summary?.sidecar.sidecar.input?.kind ?? 'image';
}
