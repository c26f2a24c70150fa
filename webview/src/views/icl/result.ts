/**
 * An ICL comparison: what ran (model, requests, saliency), the flip-following summary, each
 * variant's accuracy and flip-following (a table and a bar chart against chance), where saliency
 * went (each part's share per variant, and flipped − original), then one query's prompts side by
 * side, one card per variant: the prediction, the probability of each label (bars), and the prompt
 * with changed text outlined and tokens shaded by saliency on one colour scale. Hovering (or
 * focusing) a demonstration shows its contribution to the prediction in every variant.
 */
import { ICL_VARIANTS, TOKEN_PARTS, type IclResult, type IclVariant, type IclVariantResult, type TokenPart } from '../../../../src/protocol/icl';
import type { SectionResult } from '../../../../src/protocol/webview';
import { robustScale } from '../../../../src/shared/heatmap';
import { ICL_SALIENCY_NAMES, ICL_VARIANT_NAMES } from '../../../../src/shared/icl/names';
import { button, checkbox, dropdown } from '../../components';
import { formatCount, formatNumber, h } from '../../dom';
import { saved } from '../../messaging';
import { barChart, type SeriesColor } from '../../widgets/chart';
import { colorBar } from '../../widgets/colorBar';
import { compareLayout } from '../../widgets/compare';
import { fact } from '../section';
import { themeColors, parseColor } from '../../theme';
import { renderPrompt, type PromptShading } from './prompt';
import type { IclStore } from './store';

export type Run = SectionResult<'icl'>;

const VARIANT_COLORS: Record<IclVariant, SeriesColor> = { original: 'blue', flipped: 'orange', neutral: 'green', explained: 'purple' };

const PART_LABELS: Record<TokenPart, string> = {
  'demo-label': 'demo labels',
  'demo-input': 'demo inputs',
  'demo-explanation': 'explanations',
  query: 'query',
  template: 'template',
};

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);

/** The variants of a result, in the spec's order. */
function variantsOf(r: IclResult): [IclVariant, IclVariantResult][] {
  return ICL_VARIANTS.filter((v) => r.variants[v]).map((v) => [v, r.variants[v]!]);
}

/** What the saliency values are, for the colour bar and the contribution table. */
function saliencyUnit(r: IclResult): string {
  switch (r.options.saliency) {
    case 'gradient':
      return 'gradient × embedding of log p(predicted label), per token';
    case 'integrated-gradients':
      return 'Integrated Gradients of log p(predicted label) from zero embeddings, per token';
    case 'occlusion':
      return 'drop in p(predicted label) when the word is deleted';
    default:
      return '';
  }
}

export function renderResult(store: IclStore, run: Run, redrawResult: () => void): HTMLElement {
  const r = run.result;
  return h(
    'div',
    { class: 'icl-result', 'data-testid': 'icl-result', 'data-run': String(run.run) },
    renderHeader(run),
    h('p', { class: 'explain-summary icl-flip-summary', 'data-testid': 'icl-flip-summary' }, flipSummary(r)),
    h('div', { class: 'icl-rates' }, ratesTable(r), ratesChart(r)),
    r.options.saliency ? renderShares(r) : null,
    renderQuery(store, run, redrawResult),
  );
}

function renderHeader(run: Run): HTMLElement {
  const r = run.result;
  const local = r.provider.startsWith('local:');
  const queries = variantsOf(r)[0]?.[1].queries.length ?? 0;
  return h(
    'div',
    { class: 'icl-header', 'data-testid': 'icl-header' },
    h(
      'dl',
      { class: 'explain-facts' },
      fact('Language model', h('span', { 'data-testid': 'icl-model' }, run.inputLabel), local ? undefined : `answered as ${r.model}`),
      fact('Queries', h('span', {}, `${formatCount(queries)} × ${variantsOf(r).length} variants`)),
      fact('Token saliency', h('span', {}, r.options.saliency ? ICL_SALIENCY_NAMES[r.options.saliency] : 'none'), r.options.saliency ? "toward each prompt's own predicted label" : undefined),
      local
        ? fact('Prompts', h('span', { 'data-testid': 'icl-requests' }, formatCount(queries * variantsOf(r).length)), 'scored by the local model')
        : fact('Requests', h('span', { 'data-testid': 'icl-requests' }, formatCount(r.requests)), `to ${r.provider.slice(r.provider.indexOf(':') + 1)}`),
      fact('Elapsed', h('span', {}, `${Math.round(r.ms).toLocaleString('en-US')} ms`), r.backend),
    ),
    r.warnings.length ? h('ul', { class: 'notes', 'data-testid': 'icl-warnings' }, ...r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
  );
}

/** The flip-following summary in words: how often the prediction follows the flipped labels, and what that says. */
export function flipSummary(r: IclResult): string {
  const original = r.variants.original;
  const flipped = r.variants.flipped;
  if (!flipped) {
    return variantsOf(r).map(([v, res]) => `${ICL_VARIANT_NAMES[v]}: ${pct(res.accuracy)} accurate`).join(' · ') + '. Add the flipped variant to see whether the model follows its demonstrations.';
  }
  const labelled = flipped.queries.filter((q) => q.followsFlip !== null);
  if (!labelled.length) return 'The queries have no true labels, so flip-following cannot be measured: give queries a label in the spec.';
  const follows = labelled.filter((q) => q.followsFlip).length;
  const rate = follows / labelled.length;
  const reading =
    rate >= 0.8 ? 'The model takes its labels from the demonstrations.'
    : rate <= 0.2 ? 'The model keeps its own answer: it does not take the labels from the demonstrations.'
    : 'The model follows the demonstrations on some queries only.';
  const accuracy = original ? ` Accuracy against the true labels: ${pct(original.accuracy)} with the original demonstrations, ${pct(flipped.accuracy)} with flipped ones.` : '';
  return `Flipped labels: the prediction follows the flip on ${follows} of ${labelled.length} labelled queries (${pct(rate)}). ${reading}${accuracy}`;
}

function ratesTable(r: IclResult): HTMLElement {
  return h(
    'table',
    { class: 'card-numbers icl-rates-table', 'data-testid': 'icl-rates' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Variant'), h('th', { class: 'num' }, 'Accuracy'), h('th', { class: 'num' }, 'Follows the flip'))),
    h('tbody', {}, ...variantsOf(r).map(([v, res]) => h('tr', { 'data-variant': v }, h('td', {}, ICL_VARIANT_NAMES[v]), h('td', { class: 'num' }, pct(res.accuracy)), h('td', { class: 'num' }, pct(res.flipFollowingRate))))),
  );
}

function ratesChart(r: IclResult): HTMLElement {
  const variants = variantsOf(r);
  const labels = r.variants.original?.queries[0] ? Object.keys(r.variants.original.queries[0].probs).length : 2;
  return barChart({
    categories: variants.map(([v]) => ICL_VARIANT_NAMES[v]),
    series: [
      { label: 'accuracy (true labels)', values: variants.map(([, res]) => res.accuracy ?? NaN), color: 'blue' },
      ...(r.variants.flipped ? [{ label: 'follows the flipped label', values: variants.map(([, res]) => res.flipFollowingRate ?? NaN), color: 'orange' as const }] : []),
    ],
    value: { title: 'share of labelled queries', min: 0, max: 1, format: (v) => `${Math.round(v * 100)}%` },
    references: [{ value: 1 / labels, label: `chance (${pct(1 / labels)})` }],
    label: 'Accuracy and flip-following per variant',
    height: 200,
    testId: 'icl-rates-chart',
  });
}

/** Each part's share of |saliency| per variant, and what flipping moved. */
function renderShares(r: IclResult): HTMLElement {
  const variants = variantsOf(r).filter(([, res]) => res.saliencyShares);
  const parts = TOKEN_PARTS.filter((p) => variants.some(([, res]) => (res.saliencyShares?.[p] ?? 0) > 0));
  const diff = r.difference?.shares;
  const moved = diff
    ? parts.filter((p) => diff[p] !== undefined).map((p) => `${PART_LABELS[p]} ${(diff[p]! * 100 >= 0 ? '+' : '−') + Math.abs(diff[p]! * 100).toFixed(1)} points`)
    : [];
  return h(
    'div',
    { class: 'icl-shares' },
    h('h4', {}, 'Where the saliency is', h('span', { class: 'muted' }, ' · share of |saliency| per part of the prompt, mean over the queries')),
    barChart({
      categories: parts.map((p) => PART_LABELS[p]),
      series: variants.map(([v, res]) => ({ label: ICL_VARIANT_NAMES[v], values: parts.map((p) => res.saliencyShares?.[p] ?? 0), color: VARIANT_COLORS[v] })),
      value: { title: 'share of |saliency|', min: 0, max: 1, format: (v) => `${Math.round(v * 100)}%` },
      label: 'Share of |saliency| per prompt part and variant',
      height: 220,
      testId: 'icl-shares-chart',
    }),
    moved.length ? h('p', { class: 'muted', 'data-testid': 'icl-share-difference' }, `Flipped − original: ${moved.join(', ')}.`) : null,
  );
}

// ---------------------------------------------------------------- one query, its variants side by side

function renderQuery(store: IclStore, run: Run, redrawResult: () => void): HTMLElement {
  const r = run.result;
  const variants = variantsOf(r);
  const count = variants[0]?.[1].queries.length ?? 0;
  if (!count) return h('p', { class: 'muted' }, 'No queries.');
  const index = Math.min(store.query, count - 1);
  const go = (i: number) => {
    store.query = Math.max(0, Math.min(count - 1, i));
    saved.update({ iclQuery: store.query });
    redrawResult();
  };
  const first = variants[0][1].queries;
  const nav = h(
    'div',
    { class: 'icl-query-nav' },
    button('‹', () => go(index - 1), 'secondary', 'icl-query-previous'),
    dropdown(
      first.map((q, i) => ({ value: String(i), label: `${i + 1}. ${q.input.length > 48 ? `${q.input.slice(0, 48)}…` : q.input}${q.label ? ` (${q.label})` : ''}${mistakes(variants, i)}` })),
      String(index),
      (value) => go(Number(value)),
      'Query',
      'icl-query',
    ),
    button('›', () => go(index + 1), 'secondary', 'icl-query-next'),
  );
  // Shares of each prompt's Σ|saliency| by default: a prompt whose prediction is saturated has tiny gradients, and would show nothing beside the others.
  const raw = store.rawSaliency;
  const divisors = variants.map(([, res]) => (raw ? 1 : res.queries[index].tokens.reduce((sum, t) => sum + Math.abs(t.saliency ?? 0), 0) || 1));
  const scale = robustScale(variants.flatMap(([, res], i) => res.queries[index].tokens.map((t) => (t.saliency ?? 0) / divisors[i])));
  const theme = themeColors();
  const rgb = (css: string, fallback: [number, number, number]) => (parseColor(css)?.slice(0, 3) as [number, number, number] | undefined) ?? fallback;
  const shadingOf = (i: number): PromptShading => ({ divisor: divisors[i], scale, page: rgb(theme.background, [30, 30, 30]), text: rgb(theme.foreground, [204, 204, 204]) });
  const strip = h('div', { class: 'icl-demo-contribution', 'data-testid': 'icl-demo-contribution', 'aria-live': 'polite' });
  const cardsRoot: { el?: HTMLElement } = {};
  const onDemo = (demo: number | null) => {
    cardsRoot.el?.querySelectorAll<HTMLElement>('.icl-demo').forEach((el) => el.classList.toggle('shown', el.dataset.demo === String(demo)));
    strip.replaceChildren(...contribution(r, variants, index, demo));
  };
  onDemo(null);
  const saliency = !!r.options.saliency;
  const note = h(
    'div',
    { class: 'icl-legend' },
    h(
      'p',
      {},
      h('span', { class: 'token changed icl-legend-swatch' }, 'outlined'),
      ' text is what the variant changed: a flipped label, the words of a neutralised input, an added explanation.',
      saliency ? ` Tokens are shaded by their saliency toward their own prompt's predicted label${raw ? ', raw, on one scale for every variant' : ", each as a share of its prompt's total |saliency|"}.` : '',
    ),
    saliency ? colorBar({ colormap: 'blue-white-red', signed: true, scale, unit: raw ? saliencyUnit(r) : `share of its prompt's Σ|saliency| (${saliencyUnit(r)})`, positive: 'raises p(predicted label)', negative: 'lowers it', testId: 'icl-colorbar' }) : null,
    strip,
  );
  const cards = variants.map(([v, res], i) => ({ title: ICL_VARIANT_NAMES[v], body: variantCard(r, v, res, index, shadingOf(i), onDemo), testId: 'icl-variant-card' }));
  const rawBox = saliency
    ? checkbox('Raw saliency on one scale', raw, (checked) => {
        store.rawSaliency = checked;
        saved.update({ iclRawSaliency: checked });
        redrawResult();
      }, 'icl-raw-saliency')
    : null;
  const controls = h('div', { class: 'icl-compare-controls' }, nav, rawBox);
  const layout = compareLayout({ title: `Query ${index + 1} of ${count}`, controls, note, cards, layout: 'grid', testId: 'icl-compare' });
  cardsRoot.el = layout;
  return layout;
}

/** " · flipped ✗": the variants whose prediction is wrong for query i. */
function mistakes(variants: [IclVariant, IclVariantResult][], i: number): string {
  const wrong = variants.filter(([, res]) => res.queries[i].correct === false).map(([v]) => v);
  return wrong.length ? ` · wrong: ${wrong.join(', ')}` : '';
}

/** One variant's card: the prediction, each label's probability, the prompt. */
function variantCard(r: IclResult, variant: IclVariant, res: IclVariantResult, index: number, shading: PromptShading, onDemo: (demo: number | null) => void): HTMLElement {
  const q = res.queries[index];
  const labels = Object.keys(q.probs);
  const outcome = h(
    'p',
    { class: 'icl-outcome', 'data-testid': 'icl-outcome' },
    'Predicts ',
    h('strong', { 'data-testid': 'icl-predicted' }, q.predicted ?? 'none of the labels'),
    q.correct === null ? null : h('span', { class: q.correct ? 'good' : 'bad' }, q.correct ? ' ✓ right' : ` ✗ (true: ${q.label})`),
    q.followsFlip === null ? null : h('span', { class: 'icl-follows', 'data-testid': 'icl-follows' }, q.followsFlip ? ' · follows the flip' : ' · keeps its answer'),
  );
  const chart = barChart({
    categories: labels,
    series: [{ label: `p(label | ${ICL_VARIANT_NAMES[variant].toLowerCase()} prompt)`, values: labels.map((l) => q.probs[l] ?? 0), color: VARIANT_COLORS[variant] }],
    value: { title: 'probability, renormalised over the labels', min: 0, max: 1, step: 0.25 },
    horizontal: true,
    label: `Probability of each label, ${ICL_VARIANT_NAMES[variant]}`,
    height: 96 + 26 * labels.length,
    testId: 'icl-probs',
  });
  const below = q.belowTopK.length ? `${q.belowTopK.join(', ')} not among the top ${r.options.topLogprobs} tokens (p ≤ ${formatNumber(q.topKMin ?? 0)})` : '';
  const coverage = `the labels hold ${pct(q.coverage)} of the next-token probability${below ? `; ${below}` : ''}`;
  return h(
    'div',
    { class: 'icl-card', 'data-variant': variant },
    outcome,
    chart,
    h('p', { class: 'muted icl-coverage' }, coverage),
    renderPrompt(q, res.demonstrations, r.variants.original?.demonstrations, shading, onDemo),
  );
}

/** The contribution strip: a hint, or demonstration `demo`'s Σ saliency in every variant, with what each variant showed. */
function contribution(r: IclResult, variants: [IclVariant, IclVariantResult][], index: number, demo: number | null): (HTMLElement | string)[] {
  if (demo === null) return [h('span', { class: 'muted' }, 'Hover or focus a demonstration in a prompt to see its contribution in every variant.')];
  const rows = variants.map(([v, res]) => {
    const d = res.demonstrations[demo];
    const value = res.queries[index].demoContributions?.[demo];
    return { v, d, value };
  });
  const max = Math.max(1e-30, ...rows.map((row) => Math.abs(row.value ?? 0)));
  return [
    h('strong', {}, `Demonstration ${demo + 1}`),
    h('span', { class: 'muted' }, r.options.saliency ? ` · Σ saliency of its tokens (${saliencyUnit(r)}) toward each prompt's predicted label` : ' · run with token saliency to see its contribution'),
    h(
      'table',
      { class: 'card-numbers icl-contribution-table' },
      h(
        'tbody',
        {},
        ...rows.map(({ v, d, value }) =>
          h(
            'tr',
            { 'data-variant': v },
            h('th', {}, ICL_VARIANT_NAMES[v]),
            h('td', { class: 'icl-demo-shown' }, d ? `${d.input.length > 40 ? `${d.input.slice(0, 40)}…` : d.input} → ${d.label}` : '', d?.changed.length ? h('span', { class: 'muted' }, ` (${d.changed.join(', ')} changed)`) : null),
            h('td', { class: 'num', 'data-testid': 'icl-contribution' }, value === undefined ? '—' : formatNumber(value)),
            h('td', {}, value === undefined ? null : h('span', { class: 'icl-bar-track' }, h('span', { class: `icl-bar ${value < 0 ? 'neg' : 'pos'}`, style: `width: ${((100 * Math.abs(value)) / max).toFixed(1)}%` }))),
          ),
        ),
      ),
    ),
  ];
}

/** A run's variants in words: "Original vs flipped labels". */
export function variantsText(variants: readonly IclVariant[] | undefined): string {
  const names = (variants?.length ? variants : (['original', 'flipped'] as IclVariant[])).map((v, i) => (i ? ICL_VARIANT_NAMES[v].toLowerCase() : ICL_VARIANT_NAMES[v]));
  return names.join(' vs ');
}
