/** Loading and error states of the panel. */
import type { ErrorCode } from '../../../src/protocol/errors';
import { button, progressRing } from '../components';
import { h } from '../dom';
import { post } from '../messaging';

export function renderLoading(modelPath: string): HTMLElement {
  return h('section', { class: 'status' }, progressRing(), h('p', {}, `Loading ${modelPath}…`));
}

export function renderError(modelPath: string, code: ErrorCode, message: string): HTMLElement {
  return h(
    'section',
    { class: 'status error', 'data-testid': 'error' },
    h('h1', {}, 'Model Lens could not open this model'),
    h('p', { class: 'path' }, modelPath),
    h('p', { class: 'message' }, message),
    h('p', { class: 'code' }, code),
    h('div', { class: 'actions' }, button('Try again', () => post({ type: 'reload' }), 'primary'), button('Show log', () => post({ type: 'showLog' }))),
  );
}
