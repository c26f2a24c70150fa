/** Panel entry: draws whatever state the host sends, then tells the host it is on screen. */
import type { ToWebview } from '../../src/protocol/webview';
import { onMessage, post, saved, type SavedState } from './messaging';
import { renderSummary } from './views/summary';
import { renderError, renderLoading } from './views/status';
import { showPrediction, showPredictionError } from './views/samples';
import { onExplainMessage } from './views/explain';
import { onInfluenceMessage } from './views/influence';

const app = document.getElementById('app') as HTMLElement;

function render(state: ToWebview): void {
  switch (state.type) {
    case 'prediction':
      showPrediction(state.sample, state.prediction);
      return;
    case 'predictionError':
      showPredictionError(state.sample, state.message);
      return;
    case 'explainInputs':
      onExplainMessage(state);
      onInfluenceMessage(state);
      return;
    case 'explainRunning':
    case 'explainResult':
    case 'explainError':
      onExplainMessage(state);
      return;
    case 'influenceTrain':
    case 'influenceRunning':
    case 'influenceResult':
    case 'influenceError':
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
  saved.update({ main: state } satisfies SavedState);
}

const previous = saved.get().main;
if (previous) render(previous);
onMessage(render);
post({ type: 'ready' });
