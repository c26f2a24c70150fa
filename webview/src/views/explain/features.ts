/**
 * Attributions that are not images. Text: the sentence inline, each token highlighted by its
 * attribution (signed by default, as LIT does; padding hidden), with a colour bar. Tabular rows:
 * each feature's raw value beside a signed bar of its attribution, with a legend.
 */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { textColorOn } from '../../../../src/shared/contrast';
import { colorAt, featureValues, resolveColormap, robustScale } from '../../../../src/shared/heatmap';
import { checkbox } from '../../components';
import { formatNumber, h } from '../../dom';
import { colorBar } from '../../widgets/colorBar';
import { attributionUnit, formatScore, scoreName } from './meaning';
import { saveButtons, type Run } from './heatmap';
import type { ExplainStore } from './store';

/** Features shown at most (the largest |attribution| when there are more). */
const MAX_FEATURES = 40;

/** The text or tabular view of a result, with the Signed toggle and Save JSON. */
export function renderFeatures(store: ExplainStore, run: Run, redrawAll: () => void): HTMLElement {
  const signed = store.signedFeatures;
  const body = run.result.input.tokens ? renderTokens(run.result, signed, store.view.colormap) : renderRows(run.result, signed, store.summary?.sidecar.sidecar.input?.features);
  const toggle = checkbox('Signed', signed, (checked) => {
    store.signedFeatures = checked;
    redrawAll();
  }, 'heatmap-signed');
  return h('div', { class: 'heatmap-col features-col' }, body, h('div', { class: 'heatmap-controls' }, h('div', { class: 'field checkbox-field' }, toggle)), saveButtons(store, run, false));
}

/** The sentence, token by token, each on its attribution's colour; padding positions are left out. */
export function renderTokens(r: SaliencyResult, signed: boolean, colormapChoice: Parameters<typeof resolveColormap>[0] = 'auto'): HTMLElement {
  const tokens = r.input.tokens ?? [];
  const shown = Math.max(0, tokens.length - (r.input.padding ?? 0));
  const values = featureValues(r.attribution, signed).slice(0, shown);
  const scale = robustScale(values);
  const colormap = resolveColormap(colormapChoice, signed);
  const spans = values.map((v, i) => {
    const t = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
    const bg = colorAt(colormap, signed ? (t + 1) / 2 : t);
    const fg = textColorOn(bg);
    return h(
      'span',
      { class: 'token', style: `background: rgb(${bg.join(',')}); color: rgb(${fg.join(',')})`, title: `${tokens[i]}: ${formatNumber(v)}`, 'data-value': String(v) },
      tokens[i],
    );
  });
  const hidden = tokens.length - shown;
  return h(
    'div',
    { class: 'token-view', 'data-testid': 'token-view' },
    h('p', { class: 'tokens', lang: 'en' }, ...spans.flatMap((s, i) => (i ? [' ', s] : [s]))),
    hidden ? h('p', { class: 'muted', 'data-testid': 'token-padding' }, `${hidden} padding position${hidden === 1 ? '' : 's'} after the sentence not shown.`) : null,
    colorBar({ colormap, signed, scale, ...attributionUnit(r, signed), testId: 'token-colorbar' }),
  );
}

/** One row per feature: name, the row's value as in the file, a bar (signed: around a centre line) and the attribution. */
function renderRows(r: SaliencyResult, signed: boolean, sidecarFeatures: string[] | undefined): HTMLElement {
  const values = featureValues(r.attribution, signed);
  const names = r.input.features?.length === values.length ? r.input.features : sidecarFeatures?.length === values.length ? sidecarFeatures : values.map((_, i) => `x[${i}]`);
  const raw = r.input.values?.length === values.length ? r.input.values : undefined;
  let rows = values.map((v, i) => ({ name: names[i], v, raw: raw?.[i] }));
  const total = rows.length;
  if (total > MAX_FEATURES) rows = [...rows].sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, MAX_FEATURES);
  const max = Math.max(1e-12, ...rows.map((row) => Math.abs(row.v)));
  const unit = attributionUnit(r, signed);
  return h(
    'div',
    { class: 'feature-view' },
    h(
      'div',
      { class: `feature-bars${signed ? ' signed' : ''}`, 'data-testid': 'feature-bars', role: 'table', 'aria-label': `Attribution per feature: ${unit.unit}` },
      h('div', { class: 'feature-row feature-head', role: 'row' }, ...['feature', 'value', signed ? '− attribution +' : 'attribution', ''].map((t) => h('span', { role: 'columnheader' }, t))),
      ...rows.map((row) => {
        const pct = (Math.abs(row.v) / max) * (signed ? 50 : 100);
        const left = signed && row.v < 0 ? 50 - pct : signed ? 50 : 0;
        return h(
          'div',
          { class: 'feature-row', role: 'row', 'data-feature': row.name },
          h('span', { class: 'feature-name', title: row.name, role: 'cell' }, row.name),
          h('span', { class: 'feature-raw', role: 'cell', 'data-testid': 'feature-raw' }, row.raw === undefined ? '—' : formatNumber(row.raw)),
          h('span', { class: 'feature-track', role: 'cell' }, h('span', { class: `feature-bar ${row.v < 0 ? 'neg' : 'pos'}`, style: `left: ${left}%; width: ${pct}%` })),
          h('span', { class: 'feature-value', role: 'cell' }, formatNumber(row.v)),
        );
      }),
    ),
    total > rows.length ? h('p', { class: 'muted' }, `The ${rows.length} largest of ${total} features.`) : null,
    h(
      'p',
      { class: 'feature-legend', 'data-testid': 'feature-legend' },
      signed ? h('span', { class: 'swatch pos' }) : null,
      signed ? ` ${unit.positive}  ` : null,
      signed ? h('span', { class: 'swatch neg' }) : null,
      signed ? ` ${unit.negative} · ` : null,
      `bars: ${unit.unit}; value: the feature as in the file${raw ? '' : ' (not reported)'}; ${scoreName(r)} = ${formatScore(r)}.`,
    ),
  );
}
