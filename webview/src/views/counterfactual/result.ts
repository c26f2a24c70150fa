/**
 * A counterfactual result: a header (the input, what the model predicts, the target, the method and
 * how it ran, the set's diversity), then the diff of the input's kind: a table of the row beside
 * each counterfactual (tabular.ts), the images side by side with their difference (image.ts), or
 * the sentence with its edits inline (text.ts). No counterfactual within the constraints is an
 * answer: its reason is shown as a note, not as an error.
 */
import type { Counterfactual, CounterfactualResult } from '../../../../src/protocol/counterfactual';
import { COUNTERFACTUAL_METHOD_NAMES, type SectionResult } from '../../../../src/protocol/webview';
import { button, tag } from '../../components';
import { formatNumber, h } from '../../dom';
import { post } from '../../messaging';
import { fact } from '../section';
import { renderImages } from './image';
import { renderTable } from './tabular';
import { renderTextDiff } from './text';

export type Run = SectionResult<'counterfactual'>;

export const percent = (p: number): string => `${(p * 100).toFixed(p < 0.001 && p > 0 ? 3 : 1)}%`;

/** What a counterfactual's sparsity counts, by method. */
export function changedUnit(r: CounterfactualResult, n: number): string {
  const noun = r.method === 'perturbation' ? 'pixel' : r.method === 'region-swap' ? 'cell' : r.method === 'token-flip' ? 'word' : 'feature';
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Its cost (proximity) in words: the weighted change of a row, L1 + TV of pixels, cells or words. */
export function costText(r: CounterfactualResult, cf: Counterfactual): string {
  return r.method === 'region-swap' || r.method === 'token-flip' ? changedUnit(r, cf.proximity) : formatNumber(cf.proximity);
}

export function renderResult(run: Run, compact = false): HTMLElement {
  const r = run.result;
  const found = r.counterfactuals.length;
  const body = !found ? renderNone(r) : r.original.values ? renderTable(run) : r.original.text !== undefined ? renderTextDiff(run) : renderImages(run);
  return h(
    'div',
    { class: 'counterfactual-result', 'data-testid': 'counterfactual-result', 'data-run': String(run.run), 'data-kind': r.constraints.kind },
    renderHeader(run, compact),
    body,
  );
}

function renderHeader(run: Run, compact: boolean): HTMLElement {
  const r = run.result;
  const o = r.original;
  const found = r.counterfactuals.length;
  return h(
    'div',
    { class: 'counterfactual-header', 'data-testid': 'counterfactual-header' },
    h(
      'header',
      {},
      h('h3', { 'data-testid': 'counterfactual-title' }, `${o.label} → ${r.targetLabel}`),
      h('div', { class: 'tags' }, tag(COUNTERFACTUAL_METHOD_NAMES[r.method], 'counterfactual-method-tag'), tag(r.backend)),
    ),
    h(
      'dl',
      { class: 'explain-facts' },
      fact('Input', h('code', {}, run.inputLabel), o.row !== undefined && !run.inputLabel.includes(' row ') ? `data row ${o.row}` : undefined),
      fact('Model predicts', h('span', { 'data-testid': 'counterfactual-original' }, `${o.label} (${percent(o.probability)})`), `p(${r.targetLabel}) = ${percent(o.targetProbability)}`),
      fact(
        'Found',
        h('span', { 'data-testid': 'counterfactual-count' }, found ? `${found} counterfactual${found === 1 ? '' : 's'} predicted as ${r.targetLabel}` : 'none'),
        r.diversity !== null ? `diversity ${formatNumber(r.diversity)} (mean pairwise cost)` : found > 1 ? undefined : found ? 'cheapest first' : undefined,
      ),
      compact ? null : fact('How', h('span', {}, r.details)),
      compact ? null : fact('Elapsed', h('span', {}, `${Math.round(r.ms).toLocaleString('en-US')} ms`)),
    ),
    r.warnings.length ? h('ul', { class: 'notes', 'data-testid': 'counterfactual-warnings' }, ...r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
  );
}

/** No counterfactual: the engine's reason (the constraints that bind), as an answer. */
function renderNone(r: CounterfactualResult): HTMLElement {
  return h(
    'div',
    { class: 'note counterfactual-none', 'data-testid': 'counterfactual-none', role: 'status' },
    h('strong', {}, `No counterfactual predicted as ${r.targetLabel}. `),
    r.reason ?? 'The search found none within its budget.',
  );
}

/**
 * Copy buttons for result.counterfactuals[index]: as a row of the input's CSV (rows only) and as
 * JSON; `compact`: short labels (a table column), the full action in the tooltip and accessible name.
 */
export function copyButtons(run: Run, index: number, compact = false): HTMLElement {
  const make = (format: 'csv' | 'json', label: string, what: string) => {
    const b = button(compact ? format.toUpperCase() : label, () => post({ type: 'copyCounterfactual', run: run.run, index, format }), 'secondary', `counterfactual-copy-${format}-${index}`);
    const full = `Copy counterfactual ${index + 1} to the clipboard ${what}`;
    b.setAttribute('title', full);
    b.setAttribute('aria-label', full);
    return b;
  };
  const csv = run.result.original.values ? make('csv', 'Copy CSV row', 'as a row of the input CSV (its columns, in its style)') : null;
  return h('div', { class: 'actions counterfactual-copy' }, csv, make('json', 'Copy JSON', 'as JSON'));
}

/** A counterfactual's numbers: prediction, cost, what changed, distance to the training data, validity. */
export function metricFacts(r: CounterfactualResult, cf: Counterfactual): HTMLElement {
  return h(
    'dl',
    { class: 'explain-facts counterfactual-metrics' },
    fact('Predicted', h('span', { 'data-testid': 'counterfactual-prediction' }, `${cf.label} (${percent(cf.probability)})`), cf.validity ? 'valid: the model predicts the target' : 'not valid'),
    fact('Cost', h('span', {}, costText(r, cf)), r.method === 'perturbation' ? 'L1 + TV of the pixel change (0–1 units)' : undefined),
    fact('Changed', h('span', {}, changedUnit(r, cf.sparsity))),
    cf.plausibility !== null ? fact('Plausibility', h('span', {}, formatNumber(cf.plausibility)), `cost to the nearest training example of ${r.targetLabel}`) : null,
  );
}
