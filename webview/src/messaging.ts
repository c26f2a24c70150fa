/** Typed channel to the extension host, and the little state the panel keeps across reloads. */
import type { FromWebview, HeatmapView, SectionId, SectionMessage, ToWebview } from '../../src/protocol/webview';

/**
 * What survives the panel being hidden and shown again, or the window reloading (the host re-sends
 * everything else on 'ready'). The host's panel serializers read `modelPath` and `runs`
 * (parseSavedPanelState), or an ICL panel's `specPath` and `runs` (parseSavedIclPanelState).
 */
export interface SavedState {
  /** The model the panel shows, or (an ICL panel) its spec. */
  modelPath?: string;
  specPath?: string;
  /** The last loading/summary/error message (an ICL panel: its spec), drawn at once on reload. */
  main?: Extract<ToWebview, { type: 'loading' | 'summary' | 'error' | 'iclSpec' }>;
  /** The latest run each section saw, and its latest result (drawn at once on reload). */
  runs?: Partial<Record<SectionId, number>>;
  results?: Partial<Record<SectionId, Extract<SectionMessage, { type: 'sectionResult' }>>>;
  /** The Explain section's fields (as typed), the heatmap's display choices, and Compare methods' choices. */
  explainForm?: Record<string, unknown>;
  heatmap?: HeatmapView;
  signedFeatures?: boolean;
  explainCompare?: { methods?: string[]; sharedScale?: boolean; open?: boolean };
  /** Kept runs each section shows instead of its latest (from its history), and whether its history list is open. */
  recalled?: Partial<Record<SectionId, number[]>>;
  historyOpen?: Partial<Record<SectionId, boolean>>;
  /** The Influence section's fields, and the suspicious examples marked as reviewed (by id). */
  influenceForm?: Record<string, unknown>;
  influenceReviewed?: string[];
  /** The Counterfactuals section's fields. */
  counterfactualForm?: Record<string, unknown>;
  /** The Concepts section's fields. */
  conceptsForm?: Record<string, unknown>;
  /** The ICL section's fields, the query its comparison shows, and whether tokens are shaded by raw saliency. */
  iclForm?: Record<string, unknown>;
  iclQuery?: number;
  iclRawSaliency?: boolean;
}

const vscode = acquireVsCodeApi<SavedState>();

export function post(message: FromWebview): void {
  vscode.postMessage(message);
}

export function onMessage(handler: (message: ToWebview) => void): void {
  window.addEventListener('message', (event: MessageEvent<ToWebview>) => handler(event.data));
}

export const saved = {
  get: (): SavedState => {
    const state = vscode.getState();
    return state && typeof state === 'object' && !('type' in state) ? state : {};
  },
  update: (patch: Partial<SavedState>): void => {
    vscode.setState({ ...saved.get(), ...patch });
  },
};
