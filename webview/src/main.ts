/** Panel entry: draws whatever state the host sends, then tells the host it is on screen. */
import type { ToWebview } from '../../src/protocol/webview';
import { setWorkspaceFolders } from './dom';
import { onMessage, post, saved, type SavedState } from './messaging';
import { renderSummary } from './views/summary';
import { renderError, renderLoading } from './views/status';
import { showPrediction, showPredictionError } from './views/samples';
import { onExplainMessage } from './views/explain';
import { onInfluenceMessage } from './views/influence';
import { onCounterfactualMessage } from './views/counterfactual';
import { onConceptsMessage } from './views/concepts';
import { onIclMessage, renderIclPanel } from './views/icl';

const app = document.getElementById('app') as HTMLElement;

function render(state: ToWebview): void {
  switch (state.type) {
    case 'prediction':
      showPrediction(state.sample, state.prediction, state.text);
      return;
    case 'workspaceFolders':
      setWorkspaceFolders(state.folders);
      return;
    case 'predictionError':
      showPredictionError(state.sample, state.message);
      return;
    case 'explainInputs':
      onExplainMessage(state);
      onInfluenceMessage(state);
      onCounterfactualMessage(state);
      return;
    case 'sectionRunning':
    case 'sectionResult':
    case 'sectionError':
    case 'sectionHistory':
    case 'sectionRecalled':
      // Each section's runs and history go to its view; a section the next issues add is one more case.
      if (state.section === 'explain') onExplainMessage(state as Parameters<typeof onExplainMessage>[0]);
      else if (state.section === 'influence') onInfluenceMessage(state as Parameters<typeof onInfluenceMessage>[0]);
      else if (state.section === 'counterfactual') onCounterfactualMessage(state as Parameters<typeof onCounterfactualMessage>[0]);
      else if (state.section === 'icl') onIclMessage(state as Parameters<typeof onIclMessage>[0]);
      else onConceptsMessage(state as Parameters<typeof onConceptsMessage>[0]);
      return;
    case 'conceptData':
      onConceptsMessage(state);
      return;
    case 'iclProviders':
      onIclMessage(state);
      return;
    case 'iclSpec':
      // An ICL panel: its spec and its one section instead of a model summary.
      app.replaceChildren(renderIclPanel(state.spec));
      post({ type: 'rendered', modelPath: state.spec.path });
      saved.update({ main: state, specPath: state.spec.path } satisfies SavedState);
      return;
    case 'influenceTrain':
      onInfluenceMessage(state);
      return;
    case 'loading':
      app.replaceChildren(renderLoading(state.modelPath));
      break;
    case 'summary':
      app.replaceChildren(renderSummary(state.summary));
      post({ type: 'rendered', modelPath: state.summary.path });
      break;
    case 'error':
      app.replaceChildren(renderError(state.modelPath, state.code, state.message));
      post({ type: 'rendered', modelPath: state.modelPath });
      break;
    default: {
      const unexpected: never = state;
      throw new Error(`Unknown message ${JSON.stringify(unexpected)}`);
    }
  }
  saved.update({ main: state, modelPath: state.type === 'summary' ? state.summary.path : state.modelPath } satisfies SavedState);
}

const previous = saved.get().main;
if (previous) render(previous);
onMessage(render);
post({ type: 'ready' });
