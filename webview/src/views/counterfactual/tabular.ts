/**
 * The tabular diff: one row per feature with the constraint it was under (immutable, its range,
 * whole numbers, a direction, a one-hot group; its cost on hover), the original value, and each
 * counterfactual as a column — changed cells marked with their delta — then, per column, the
 * predicted class and its probability, the cost, features changed, plausibility, and Copy.
 * The table scrolls sideways inside its box when a narrow panel cannot hold every column.
 */
import type { FeatureConstraintInfo } from '../../../../src/protocol/counterfactual';
import { formatNumber, h } from '../../dom';
import { copyButtons, percent, type Run } from './result';

const COST_SOURCES: Record<FeatureConstraintInfo['costSource'], string> = {
  sidecar: "the sidecar's cost",
  request: "this run's cost",
  mad: '1 / median absolute deviation over the training set',
  std: '1 / standard deviation over the training set (its MAD is 0)',
  'sidecar-std': "1 / the sidecar's std",
  unit: '1 (nothing to scale by)',
};

/** A raw value as the table shows it: whole numbers as they are, others to 6 significant digits. */
export function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/** A change with its sign: +3.2, −120. */
export function formatDelta(d: number): string {
  return `${d > 0 ? '+' : '−'}${formatValue(Math.abs(d))}`;
}

/** The constraint in words ("immutable", "2700 to 6300 · whole"), empty for a free feature. */
export function constraintText(c: FeatureConstraintInfo, groups: string[][]): string {
  if (c.immutable) return 'immutable';
  const parts: string[] = [];
  if (c.min !== null && c.max !== null) parts.push(`${formatValue(c.min)} to ${formatValue(c.max)}`);
  else if (c.min !== null) parts.push(`≥ ${formatValue(c.min)}`);
  else if (c.max !== null) parts.push(`≤ ${formatValue(c.max)}`);
  if (c.integer) parts.push('whole');
  if (c.monotone) parts.push(c.monotone === 'increase' ? 'may only rise' : 'may only fall');
  if (c.group !== null) parts.push(`one of ${groups[c.group]?.length ?? '?'} (one-hot)`);
  return parts.join(' · ');
}

/** A class over its probability (two short lines keep the columns narrow). */
const predicted = (label: string, probability: number, cls = ''): HTMLElement =>
  h('span', { class: `cf-predicted ${cls}` }, h('span', {}, label), h('span', { class: 'cf-probability' }, percent(probability)));

export function renderTable(run: Run): HTMLElement {
  const r = run.result;
  const cfs = r.counterfactuals;
  const original = r.original.values ?? {};
  const info = r.constraints.kind === 'tabular' ? r.constraints : { features: [], categorical: [] };
  const rows = info.features.map((c) => {
    const was = original[c.feature];
    const changed = cfs.some((cf) => cf.values?.[c.feature] !== was);
    // The constraint goes under the feature's name, so three counterfactuals fit a half-width panel.
    const constraint = constraintText(c, info.categorical);
    return h(
      'tr',
      { class: `${changed ? 'changed' : ''}${c.immutable ? ' immutable' : ''}`, 'data-feature': c.feature },
      h(
        'th',
        { scope: 'row', class: 'cf-feature', title: `cost ${formatNumber(c.cost)} per unit: ${COST_SOURCES[c.costSource]}` },
        h('span', { class: 'cf-feature-name' }, c.feature),
        constraint ? h('span', { class: `cf-constraint${c.immutable ? ' cf-immutable' : ''}`, 'data-testid': 'counterfactual-constraint' }, constraint) : null,
      ),
      h('td', { class: `num cf-value${changed ? ' cf-was' : ''}` }, formatValue(was)),
      ...cfs.map((cf) => {
        const v = cf.values?.[c.feature] ?? was;
        const diff = v !== was;
        return h(
          'td',
          { class: `num cf-value${diff ? ' cf-changed' : ''}`, 'data-testid': 'counterfactual-cell', 'data-changed': String(diff) },
          formatValue(v),
          diff ? h('span', { class: 'cf-delta' }, formatDelta(v - was)) : null,
        );
      }),
    );
  });
  const footRow = (label: string, original: string | HTMLElement, each: (i: number) => string | HTMLElement, testId?: string) =>
    h('tr', testId ? { 'data-testid': testId } : {}, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, original), ...cfs.map((_, i) => h('td', { class: 'num' }, each(i))));
  const o = r.original;
  return h(
    'div',
    { class: 'cf-table-box', 'data-testid': 'counterfactual-table-box' },
    h(
      'table',
      { class: 'cf-table', 'data-testid': 'counterfactual-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { title: 'Each feature with the constraint it was under (hover for its cost per unit)' }, 'Feature'),
          h('th', { class: 'num' }, o.row !== undefined ? `Row ${o.row}` : 'Original'),
          ...cfs.map((_, i) => h('th', { class: 'num', title: `Counterfactual ${i + 1} (cheapest first)` }, `#${i + 1}`)),
        ),
      ),
      h('tbody', {}, ...rows),
      h(
        'tfoot',
        {},
        footRow('Predicted', predicted(o.label, o.probability), (i) => predicted(cfs[i].label, cfs[i].probability, 'cf-target'), 'counterfactual-predictions'),
        footRow(`p(${r.targetLabel})`, percent(o.targetProbability), (i) => percent(cfs[i].targetProbability)),
        footRow('Cost', '—', (i) => formatNumber(cfs[i].proximity)),
        footRow('Features changed', '—', (i) => String(cfs[i].sparsity)),
        footRow('Plausibility', '—', (i) => (cfs[i].plausibility === null ? '—' : formatNumber(cfs[i].plausibility!))),
        footRow('Valid', '—', (i) => (cfs[i].validity ? 'yes' : 'no')),
        h('tr', { class: 'cf-copy-row' }, h('th', { scope: 'row' }, 'Copy'), h('td'), ...cfs.map((_, i) => h('td', {}, copyButtons(run, i, true)))),
      ),
    ),
    h(
      'p',
      { class: 'muted cf-legend' },
      'Changed cells are marked with their change in raw units; ⊘ marks features that may not change. Cost: Σ cost × |change| per feature (hover a feature for its cost per unit); plausibility: the same cost to the nearest training row of the target class.',
    ),
  );
}
