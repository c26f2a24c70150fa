/**
 * A TCAV result: what S is (the derivative of the class logit along each concept's direction),
 * the runs, class inputs and significance level; a grouped bar chart of concept × layer — each
 * concept's mean score with ± std over runs beside the layer's random baseline (outlined), a * over
 * significant bars and non-significant ones hatched grey, both explained in the legend —; and a
 * table of every score with its p-value, verdict and CAV accuracy (near chance flagged), then the
 * warnings. (The magnitude variant is in the result's JSON; the panel shows the score the test is about.) Text keeps the foreground colour: verdicts are words, not dimmed text.
 */
import type { TcavResult, TcavScore } from '../../../../src/protocol/concepts';
import { formatP, tcavGrid } from '../../../../src/shared/concepts';
import type { SectionResult } from '../../../../src/protocol/webview';
import { tag } from '../../components';
import { h, relativePath } from '../../dom';
import { barChart, type SeriesColor } from '../../widgets/chart';
import { fact } from '../section';

export type TcavRun = SectionResult<'concepts'> & { result: TcavResult };

/** Concepts' colours in order; the random baseline is the foreground, outlined. */
const CONCEPT_COLORS: SeriesColor[] = ['blue', 'orange', 'purple', 'green', 'red', 'yellow'];

export function renderTcav(run: TcavRun, compact = false): HTMLElement {
  const r = run.result;
  return h(
    'div',
    { class: 'concepts-result tcav-result', 'data-testid': 'tcav-result', 'data-run': String(run.run) },
    h('header', {}, h('h3', { 'data-testid': 'tcav-class' }, `TCAV · class ${r.class}`), h('div', { class: 'tags' }, r.cached ? tag('cached', 'tcav-cached') : null, tag(r.backend))),
    h('p', { class: 'note', 'data-testid': 'tcav-gradient' }, gradientNote(r)),
    compact ? null : facts(r),
    tcavChart(r, compact),
    scoreTable(r),
    r.warnings.length ? h('ul', { class: 'notes', 'data-testid': 'tcav-warnings' }, ...r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
  );
}

/** S in words: which derivative, counted how, averaged over what. */
function gradientNote(r: TcavResult): string {
  const n = r.classInputs.count;
  return (
    `S is the derivative of the ${r.class} logit (the input of the final softmax) along a concept's direction (its CAV) at the layer; ` +
    `a score is the share of the ${n} ${r.class} input${n === 1 ? '' : 's'} with S > 0, averaged over ${r.randomSets.runs} runs (error bars: ± std over runs). ` +
    'Compare each bar with the random baseline beside it: random directions score anything, so only a significant difference means the concept matters.'
  );
}

function facts(r: TcavResult): HTMLElement {
  const rs = r.randomSets;
  const t = r.timings;
  const test = "two-sided t-test of the concept's run scores against the baseline's";
  const how = r.options.bonferroni ? `α ${formatP(r.options.alpha ?? r.alpha)} / ${r.tests} tests (Bonferroni); ${test}` : test;
  return h(
    'dl',
    { class: 'explain-facts' },
    fact('Random examples', h('span', { 'data-testid': 'tcav-runs' }, `${rs.runs} ${rs.kind === 'sets' ? 'random sets' : 'draws'} of ${rs.size}`), relativePath(rs.path)),
    fact('Class inputs', h('span', {}, `${r.classInputs.count}${r.classInputs.filtered ? ` labelled ${r.class}` : ''}`), relativePath(r.classInputs.path)),
    fact('Significant', h('span', {}, `p < ${formatP(r.alpha)}`), how),
    fact('Elapsed', h('span', {}, `${Math.round(r.ms).toLocaleString('en-US')} ms`), `activations ${Math.round(t.activationsMs)} ms · gradients ${Math.round(t.gradientsMs)} ms · CAVs ${Math.round(t.cavMs)} ms${r.cached ? ' · activations from the cache' : ''}`),
  );
}

/** The grouped bars: layers along x, a bar per concept and the random baseline, ± std, significance marked. */
export function tcavChart(r: TcavResult, compact = false): HTMLElement {
  const grid = tcavGrid(r);
  const alpha = formatP(r.alpha);
  const concepts = grid.concepts.map((c, i) => ({
    label: c.name,
    values: c.cells.map((s) => s?.score ?? NaN),
    errors: c.cells.map((s) => s?.std ?? NaN),
    muted: c.cells.map((s) => !!s && !s.significant),
    marks: c.cells.map((s) => (s?.significant ? '*' : '')),
    color: CONCEPT_COLORS[i % CONCEPT_COLORS.length],
  }));
  return barChart({
    label: `TCAV scores for class ${r.class} per layer: each concept beside the random baseline, with ± std over runs; significant scores marked with *, others hatched`,
    testId: 'tcav-chart',
    height: compact ? 240 : 300,
    categories: grid.layers,
    category: 'layer',
    // Short enough to fit beside a 200 px plot; the note above says whose inputs and why S > 0.
    value: { title: 'TCAV score (share with S > 0)', min: 0, max: 1, step: 0.25 },
    series: [...concepts, { label: 'random baseline', values: grid.baseline.map((b) => b.score), errors: grid.baseline.map((b) => b.std), color: 'foreground', reference: true }],
    mutedLabel: `hatched: not significant (p ≥ ${alpha})`,
    marksLabel: `* significant (p < ${alpha})`,
  });
}

function scoreTable(r: TcavResult): HTMLElement {
  const row = (s: TcavScore) =>
    h(
      'tr',
      { 'data-testid': 'tcav-row', 'data-concept': s.concept, 'data-layer': s.layer },
      h('td', {}, s.concept),
      h('td', {}, s.layer),
      h('td', { class: 'num score' }, `${s.score.toFixed(2)} ± ${s.std.toFixed(2)}`),
      h('td', { class: 'num', 'data-testid': 'tcav-p' }, formatP(s.pValue)),
      h('td', { class: s.significant ? 'verdict significant' : 'verdict' }, s.significant ? 'significant *' : 'not significant'),
      h('td', { class: 'num' }, s.cavNearChance ? h('span', { class: 'near-chance', title: 'held-out accuracy of the concept-vs-random classifier: near chance, so the layer barely tells the concept from random examples and the score means little' }, `${s.cavAccuracy.toFixed(2)} (near chance)`) : s.cavAccuracy.toFixed(2)),
    );
  const baseline = r.random.map((b) =>
    h('tr', { class: 'baseline-row' }, h('td', {}, 'random baseline'), h('td', {}, b.layer), h('td', { class: 'num score' }, `${b.score.toFixed(2)} ± ${b.std.toFixed(2)}`), h('td', {}, '—'), h('td', {}, '—'), h('td', { class: 'num' }, b.cavAccuracy.toFixed(2))),
  );
  const table = h(
    'table',
    { class: 'tcav-table', 'data-testid': 'tcav-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Concept'),
        h('th', {}, 'Layer'),
        h('th', { class: 'num', title: 'mean over runs ± std' }, 'Score'),
        h('th', { class: 'num' }, 'p'),
        h('th', {}, 'Verdict'),
        h('th', { class: 'num', title: "held-out accuracy of the concept's CAVs (concept vs random examples)" }, 'CAV accuracy'),
      ),
    ),
    h('tbody', {}, ...r.results.map(row), ...baseline),
  );
  return h('div', { class: 'table-scroll' }, table);
}
