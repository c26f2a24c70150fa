/**
 * Text counterfactuals: the sentence inline with what the edit removed struck through and what it
 * inserted marked (a word diff by the `diff` package), then the substitutions one by one.
 */
import { diffWords } from 'diff';
import type { Counterfactual } from '../../../../src/protocol/counterfactual';
import { h } from '../../dom';
import { copyButtons, metricFacts, percent, type Run } from './result';

export function renderTextDiff(run: Run): HTMLElement {
  return h('div', { class: 'cf-text-sets' }, ...run.result.counterfactuals.map((cf, i) => renderOne(run, cf, i)));
}

/** The original and the counterfactual as one line: deletions and insertions marked (and named for screen readers). */
export function inlineDiff(before: string, after: string): HTMLElement {
  const parts = diffWords(before, after).map((part) =>
    part.removed ? h('del', { class: 'cf-removed', title: 'removed' }, part.value)
    : part.added ? h('ins', { class: 'cf-added', title: 'inserted' }, part.value)
    : document.createTextNode(part.value),
  );
  return h('p', { class: 'cf-diff', 'data-testid': 'counterfactual-diff', lang: 'en' }, ...parts);
}

function renderOne(run: Run, cf: Counterfactual, index: number): HTMLElement {
  const r = run.result;
  const edits = cf.edits ?? [];
  return h(
    'section',
    { class: 'cf-text-set', 'data-testid': 'counterfactual-text-set' },
    h('h4', {}, `#${index + 1} · ${cf.label} (${percent(cf.probability)})`),
    inlineDiff(r.original.text ?? '', cf.text ?? ''),
    edits.length
      ? h('ol', { class: 'cf-edits', 'data-testid': 'counterfactual-edits' }, ...edits.map((e) => h('li', {}, h('del', { class: 'cf-removed' }, e.from), ' → ', h('ins', { class: 'cf-added' }, e.to), h('span', { class: 'muted' }, ` · token ${e.position + 1}`))))
      : null,
    metricFacts(r, cf),
    copyButtons(run, index),
  );
}
