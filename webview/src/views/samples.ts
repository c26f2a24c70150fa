/** The sidecar's sample inputs with the model's top classes for each, predicted when the panel opens. */
import type { Prediction } from '../../../src/protocol/model';
import { button, progressRing } from '../components';
import { h } from '../dom';
import { post } from '../messaging';
import { explainSample } from './explain';
import { counterfactualSample } from './counterfactual';

export function renderSamples(samples: string[]): HTMLElement | null {
  if (samples.length === 0) return null;
  const rows = samples.map((sample, i) =>
    h(
      'li',
      { 'data-sample': String(i) },
      h('div', { class: 'sample-preview' }),
      h(
        'div',
        { class: 'sample-body' },
        h('code', {}, sample),
        h('div', { class: 'sample-result' }, progressRing()),
        h('div', { class: 'sample-links' }, explainLink(i, sample), counterfactualLink(i, sample)),
      ),
    ),
  );
  samples.forEach((_, i) => post({ type: 'predict', sample: i }));
  return h(
    'div',
    { class: 'samples', 'data-testid': 'samples' },
    h('h2', {}, 'Samples'),
    h('ul', {}, ...rows),
    button('Predict again', () => samples.forEach((_, i) => post({ type: 'predict', sample: i }))),
  );
}

function explainLink(index: number, sample: string): HTMLElement {
  const link = h('button', { class: 'link-button', type: 'button', title: `Explain ${sample} with the method chosen under Explain` }, 'Explain');
  link.addEventListener('click', () => explainSample(index));
  return link;
}

function counterfactualLink(index: number, sample: string): HTMLElement {
  const link = h('button', { class: 'link-button', type: 'button', title: `Find the smallest change to ${sample} that makes the model predict another class (under Counterfactuals)`, 'data-testid': 'sample-counterfactual' }, 'Counterfactual');
  link.addEventListener('click', () => counterfactualSample(index));
  return link;
}

/** Shows a sample's top classes, with what the model sees: the image, or a text sample's sentence. */
export function showPrediction(sample: number, p: Prediction, text?: string): void {
  const row = sampleRow(sample);
  if (!row) return;
  const preview = row.querySelector('.sample-preview') as HTMLElement;
  preview.classList.toggle('text', text !== undefined);
  preview.replaceChildren(
    p.input.preview ? h('img', { src: p.input.preview, alt: `What the model sees for ${p.input.path}` }) : text !== undefined ? h('q', { class: 'sample-text', 'data-testid': 'sample-text' }, text.trim()) : '',
  );
  const top = p.rows[0]?.top ?? [];
  const result = h(
    'ol',
    { class: 'classes' },
    ...top.map((c) =>
      h(
        'li',
        {},
        h('span', { class: 'label' }, c.label),
        h('span', { class: 'bar', style: `width: ${(c.probability * 100).toFixed(1)}%` }),
        h('span', { class: 'prob' }, `${(c.probability * 100).toFixed(1)}%`),
      ),
    ),
  );
  const truth = p.rows[0]?.trueLabel;
  const notes = [truth !== undefined ? `true label: ${truth}` : '', p.rows.length > 1 ? `first of ${p.rows.length} rows` : '']
    .filter(Boolean)
    .map((note) => h('p', { class: 'truth' }, note));
  (row.querySelector('.sample-result') as HTMLElement).replaceChildren(result, ...notes);
}

export function showPredictionError(sample: number, message: string): void {
  sampleRow(sample)?.querySelector('.sample-result')?.replaceChildren(h('p', { class: 'sample-error' }, message));
}

function sampleRow(sample: number): HTMLElement | null {
  return document.querySelector(`[data-sample="${sample}"]`);
}
