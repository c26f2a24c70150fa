/** The model summary: what goes in and out, the layers, and what the sidecar says or lacks. */
import type { ModelSummary, OutputSpec, TensorSpec } from '../../../src/protocol/model';
import { button, divider, tag } from '../components';
import { formatBytes, formatCount, formatShape, h } from '../dom';
import { post } from '../messaging';
import { renderSamples } from './samples';
import { renderExplain } from './explain';
import { renderInfluence } from './influence';
import { renderCounterfactuals } from './counterfactual';
import { renderConcepts } from './concepts';

export function renderSummary(s: ModelSummary): HTMLElement {
  const name = s.path.split(/[\\/]/).slice(-2).join('/');
  return h(
    'section',
    { class: 'summary' },
    h(
      'header',
      {},
      h('h1', {}, name),
      h('div', { class: 'tags' }, tag(s.format, 'summary-format'), tag(s.backend, 'summary-backend')),
    ),
    s.sidecar.sidecar.description ? h('p', { class: 'description' }, s.sidecar.sidecar.description) : null,
    h(
      'dl',
      { class: 'stats' },
      stat('Parameters', formatCount(s.params), 'summary-params'),
      stat('Weights', formatBytes(s.weightBytes)),
      stat('Layers', String(s.layers.length)),
      stat('Input kind', s.sidecar.sidecar.input?.kind ?? 'unknown'),
    ),
    tensors('Inputs', s.inputs),
    tensors('Outputs', s.outputs),
    notes(s),
    renderSamples(s.sidecar.sidecar.data?.samples ?? []),
    renderExplain(s),
    renderInfluence(s),
    renderCounterfactuals(s),
    renderConcepts(s),
    h(
      'div',
      { class: 'actions' },
      button('Reload', () => post({ type: 'reload' })),
      button(s.sidecar.path ? 'Edit sidecar' : 'Create sidecar', () => post({ type: 'openSidecar' })),
      button('Show log', () => post({ type: 'showLog' })),
    ),
    divider(),
    layersTable(s),
  );
}

function stat(label: string, value: string, testId?: string): HTMLElement {
  const dd = h('dd', {}, value);
  if (testId) dd.dataset.testid = testId;
  return h('div', {}, h('dt', {}, label), dd);
}

function tensors(title: string, specs: TensorSpec[]): HTMLElement {
  return h(
    'div',
    { class: 'tensors' },
    h('h2', {}, title),
    h(
      'ul',
      {},
      // Outputs say how their values are read (softmax, sigmoid, regression…) and why.
      ...specs.map((t) => h('li', {}, h('code', {}, t.name), ` ${formatShape(t.shape)} ${t.dtype}`, 'kind' in t ? h('span', { class: 'muted', title: (t as OutputSpec).kindReason }, ` · ${(t as OutputSpec).kind}`) : null)),
    ),
  );
}

function notes(s: ModelSummary): HTMLElement | null {
  const items = [
    ...s.warnings.map((w) => h('li', { class: 'warning' }, w)),
    ...s.sidecar.missing.map((m) => h('li', { class: 'missing' }, m)),
  ];
  return items.length ? h('ul', { class: 'notes', 'data-testid': 'summary-notes' }, ...items) : null;
}

function layersTable(s: ModelSummary): HTMLElement {
  const rows = s.layers.map((l) =>
    h(
      'tr',
      {},
      h('td', {}, l.name),
      h('td', {}, l.className),
      h('td', {}, l.outputShape.map(formatShape).join(' ') || '—'),
      h('td', { class: 'num' }, formatCount(l.params)),
    ),
  );
  return h(
    'table',
    { 'data-testid': 'layers-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Layer'), h('th', {}, s.format === 'graph-model' ? 'Op' : 'Class'), h('th', {}, 'Output shape'), h('th', { class: 'num' }, 'Params'))),
    h('tbody', {}, ...rows),
  );
}
