/**
 * Compare methods: the same input and target explained by several methods, one card each — the
 * map, its colour bar and its faithfulness numbers — so where they agree shows at a glance. With
 * "Shared colour scale", every map is drawn as its share of its own total |attribution| on one
 * scale (methods' raw units differ: probabilities, gradients, drops); otherwise each map has its own.
 */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { featureValues, robustScale, toGrid, type Grid } from '../../../../src/shared/heatmap';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { checkbox } from '../../components';
import { formatNumber, h } from '../../dom';
import { barChart } from '../../widgets/chart';
import { colorBar } from '../../widgets/colorBar';
import { renderTokens } from './features';
import { drawHeatmap, heatmapColorBar, type Run } from './heatmap';
import { attributionUnit, formatScore, gradCamNote, pathWarning, scoreName } from './meaning';
import type { ExplainStore } from './store';

const CARD_SIZE = 168;

/** Σ|attribution|, the unit of a shared scale. */
function mass(r: SaliencyResult): number {
  return r.attribution.data.reduce((a, v) => a + (Number.isFinite(v) ? Math.abs(v) : 0), 0) || 1;
}

/** A result's grid as shares of its mass. */
function shareGrid(r: SaliencyResult, signed: boolean): Grid | null {
  const grid = toGrid(r.attribution, signed);
  if (!grid) return null;
  const m = mass(r);
  return { ...grid, values: grid.values.map((v) => v / m) };
}

/** The one scale of shared-scale cards: the largest robust scale of their shares. */
function sharedScale(runs: Run[], signed: boolean): number {
  return Math.max(1e-12, ...runs.map((r) => robustScale((shareGrid(r.result, signed)?.values ?? featureValues(r.result.attribution, signed).map((v) => v / mass(r.result))))));
}

/** The header of a comparison: what is compared, how to read it (with the methods' AUCs in one chart), and the shared-scale switch. */
export function compareHeader(store: ExplainStore, runs: Run[], redraw: () => void): { title: string; note: HTMLElement; controls: HTMLElement; layout: 'grid' } {
  const first = runs[0]?.result;
  const target = first ? `${scoreName(first)} = ${formatScore(first)}` : 'the target';
  const box = checkbox('Shared colour scale', store.sharedScale, (checked) => {
    store.sharedScale = checked;
    redraw();
  }, 'compare-shared-scale');
  const text = `Each map explains ${target}. ${store.sharedScale ? 'One scale for all: each map as its share of its own total |attribution|, so intensities compare across methods.' : 'Each map on its own scale (its colour bar): compare where they put the mass, not how much.'} Deletion: lower than random is faithful; insertion: higher.`;
  return { title: `Compare methods${first ? ` · ${runs[0].inputLabel}` : ''}`, note: h('span', {}, text, aucChart(runs)), controls: box, layout: 'grid' };
}

/** Every method's deletion and insertion AUC in one chart, the random ordering's as dashed lines (the same input and seed for all). */
function aucChart(runs: Run[]): HTMLElement | null {
  const measured = runs.filter((r) => r.result.metrics);
  if (measured.length < 2) return null;
  const m = measured[0].result.metrics!;
  return barChart({
    label: 'Deletion and insertion AUC per method, beside a random ordering',
    testId: 'compare-auc-chart',
    height: 200,
    categories: measured.map((r) => METHOD_NAMES[r.result.method]),
    value: measured[0].result.targetValue !== undefined ? { title: `AUC of ${scoreName(measured[0].result)}` } : { title: 'AUC of p(target)', min: 0, max: 1, step: 0.25 },
    series: [
      { label: 'deletion AUC (lower is faithful)', values: measured.map((r) => r.result.metrics!.deletionAuc), color: 'red' },
      { label: 'insertion AUC (higher is faithful)', values: measured.map((r) => r.result.metrics!.insertionAuc), color: 'green' },
    ],
    references: [
      { value: m.randomDeletionAuc, label: `random deletion ${m.randomDeletionAuc.toFixed(3)}`, color: 'red' },
      { value: m.randomInsertionAuc, label: `random insertion ${m.randomInsertionAuc.toFixed(3)}`, color: 'green' },
    ],
  });
}

/** One method's card: its map (or tokens, or bars), colour bar and numbers. */
export function renderCard(store: ExplainStore, run: Run, all: Run[]): HTMLElement {
  const r = run.result;
  const image = !!toGrid(r.attribution, store.view.signed);
  const signed = image ? store.view.signed : store.signedFeatures;
  const shared = store.sharedScale ? sharedScale(all, signed) : undefined;
  const unit = shared !== undefined ? { ...attributionUnit(r, signed), unit: `share of the map's total |attribution|, per ${image ? 'pixel' : 'feature'}` } : attributionUnit(r, signed);
  let visual: HTMLElement;
  if (image) {
    const canvas = h('canvas', { class: 'heatmap card-heatmap', role: 'img', 'aria-label': `${METHOD_NAMES[r.method]} heatmap`, 'data-testid': 'card-canvas' });
    const legend = h('div', { class: 'legend' });
    void drawHeatmap(canvas, r, { view: store.view, size: CARD_SIZE, ...(shared !== undefined ? { grid: shareGrid(r, signed)!, scale: shared } : {}) }).then((d) => {
      if (!d) return;
      canvas.dataset.drawn = String(run.run);
      legend.replaceChildren(colorBar(heatmapColorBar(r, store.view, d.scale, unit, 'card-colorbar')));
    });
    visual = h('div', {}, canvas, legend);
  } else if (r.input.tokens) {
    visual = renderTokens(r, signed, store.view.colormap);
  } else {
    const values = featureValues(r.attribution, signed);
    const names = r.input.features ?? values.map((_, i) => `x[${i}]`);
    const top = values.map((v, i) => ({ v, name: names[i] })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v)).slice(0, 6);
    visual = h('ol', { class: 'card-features' }, ...top.map((t) => h('li', {}, h('code', {}, t.name), ` ${formatNumber(shared !== undefined ? t.v / mass(r) : t.v)}`)));
    visual.append(colorBar(heatmapColorBar(r, { ...store.view, signed }, shared ?? robustScale(values), unit)));
  }
  const m = r.metrics;
  const note = gradCamNote(r);
  const warning = pathWarning(r);
  return h(
    'div',
    { class: 'method-card', 'data-method': r.method },
    visual,
    m || r.completenessDelta !== undefined
      ? h(
          'table',
          { class: 'card-numbers', 'data-testid': 'card-numbers' },
          m ? h('tr', {}, h('th', {}, ''), h('th', {}, 'map'), h('th', {}, 'random')) : null,
          m ? row('Deletion AUC', m.deletionAuc.toFixed(3), m.randomDeletionAuc.toFixed(3), m.deletionAuc < m.randomDeletionAuc, 'lower than random: faithful') : null,
          m ? row('Insertion AUC', m.insertionAuc.toFixed(3), m.randomInsertionAuc.toFixed(3), m.insertionAuc > m.randomInsertionAuc, 'higher than random: faithful') : null,
          m?.maxSensitivity !== undefined ? row('Max-sensitivity', formatNumber(m.maxSensitivity), '', undefined, 'lower is steadier') : null,
          r.completenessDelta !== undefined ? row('Completeness Δ', formatNumber(r.completenessDelta), '', undefined, 'Σ attribution − (F(x) − F(baseline))') : null,
        )
      : null,
    r.metricsSkipped ? h('p', { class: 'note warning' }, `No metrics: ${r.metricsSkipped}`) : null,
    note ? h('p', { class: 'note' }, note) : null,
    warning ? h('p', { class: 'note warning' }, warning) : null,
  );
}

/** A metric's row: this map's value (bold when it beats random, underlined when not), random's, and a tooltip on reading it. */
function row(label: string, value: string, random: string, good: boolean | undefined, title: string): HTMLElement {
  return h('tr', { title }, h('th', { scope: 'row' }, label), h('td', {}, h('span', { class: good === undefined ? '' : good ? 'good' : 'bad' }, value)), h('td', { class: 'muted' }, random));
}
