/**
 * The Explain result's details: method, summary, target and facts; Integrated Gradients' F(x),
 * F(baseline) and baseline (with a warning when they are close); Grad-CAM's resolution; the top
 * classes; and the faithfulness plots: deletion and insertion curves with titled axes, the random
 * ordering's curve beside each and the AUCs in the legend, and max-sensitivity in words. A map
 * that is zero everywhere gets no metrics, and says why.
 */
import type { FaithfulnessMetrics, SaliencyResult } from '../../../../src/protocol/saliency';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { formatNumber, h } from '../../dom';
import { lineChart } from '../../widgets/chart';
import { fact } from '../section';
import { gradCamNote, pathWarning, scoreName, sensitivityText } from './meaning';

export function renderDetails(run: { inputLabel: string; result: SaliencyResult }): HTMLElement {
  const r = run.result;
  const targetLabel = r.targetLabel && r.targetLabel !== String(r.target) ? `${r.target} (${r.targetLabel})` : String(r.target);
  const camNote = gradCamNote(r);
  return h(
    'div',
    { class: 'explain-details' },
    h('h3', { 'data-testid': 'explain-result-method' }, METHOD_NAMES[r.method], r.layer ? h('span', { class: 'muted' }, ` · layer ${r.layer}`) : null),
    h('p', { class: 'muted' }, run.inputLabel),
    h('p', { class: 'explain-summary', 'data-testid': 'explain-summary' }, r.summary),
    ...(r.warnings ?? []).map((w) => h('p', { class: 'explain-warning', 'data-testid': 'explain-warning' }, w)),
    h(
      'dl',
      { class: 'explain-facts' },
      r.output && r.output.index > 0 ? fact('Output', h('span', { 'data-testid': 'explain-result-output' }, r.output.name), r.output.kind) : null,
      fact('Target', h('span', { 'data-testid': 'explain-result-target' }, targetLabel), r.targetProbability !== undefined ? `p = ${(r.targetProbability * 100).toFixed(1)}%` : `value ${formatNumber(r.targetValue ?? NaN)}`),
      r.completenessDelta !== undefined ? fact('Completeness Δ', h('span', { 'data-testid': 'explain-delta' }, formatNumber(r.completenessDelta)), 'Σ attribution − (F(x) − F(baseline))') : null,
      fact('Elapsed', h('span', { 'data-testid': 'explain-ms' }, `${Math.round(r.ms).toLocaleString('en-US')} ms`), r.backend),
    ),
    r.fx !== undefined ? renderPath(r) : null,
    camNote ? h('p', { class: 'note', 'data-testid': 'gradcam-note' }, camNote) : null,
    h('h4', {}, 'Top classes'),
    h(
      'ol',
      { class: 'classes', 'data-testid': 'explain-classes' },
      ...r.prediction.slice(0, 5).map((c) =>
        h(
          'li',
          { class: c.index === r.target ? 'is-target' : '' },
          h('span', { class: 'label' }, c.label),
          h('span', { class: 'bar', style: `width: ${(c.probability * 100).toFixed(1)}%` }),
          h('span', { class: 'prob' }, `${(c.probability * 100).toFixed(1)}%`),
        ),
      ),
    ),
    r.metrics ? renderMetrics(r, r.metrics) : null,
    r.metricsSkipped ? h('div', { class: 'explain-metrics' }, h('h4', {}, 'Faithfulness'), h('p', { class: 'note warning', 'data-testid': 'metrics-skipped' }, `Not computed: ${r.metricsSkipped}`)) : null,
  );
}

/** IG's path: F(x), F(baseline), the change IG explains, the baseline itself, and a warning when the change is small. */
function renderPath(r: SaliencyResult): HTMLElement {
  const warning = pathWarning(r);
  const b = r.baseline;
  const features = r.input.features;
  const baseline =
    b?.preview ? h('img', { class: 'baseline-preview', src: b.preview, alt: `the ${b.kind} baseline` })
    : b?.values && features?.length === b.values.length
      ? h('table', { class: 'baseline-values' }, h('tr', {}, ...features.map((f) => h('th', {}, f))), h('tr', {}, ...b.values.map((v) => h('td', {}, formatNumber(v)))))
      : null;
  return h(
    'div',
    { class: 'ig-path', 'data-testid': 'ig-path' },
    h('h4', {}, 'What Integrated Gradients explains'),
    h(
      'dl',
      { class: 'explain-facts' },
      fact('F(x)', h('span', { 'data-testid': 'ig-fx' }, formatNumber(r.fx!, 4)), `${scoreName(r)} at the input`),
      fact('F(baseline)', h('span', { 'data-testid': 'ig-fbaseline' }, formatNumber(r.fBaseline!, 4)), `${scoreName(r)} at the ${b?.kind ?? 'zeros'} baseline${r.input.kind === 'tabular' && b?.kind === 'zeros' ? ' (the training mean: features are standardised)' : ''}`),
      fact('Explained change', h('span', { 'data-testid': 'ig-change' }, formatNumber(r.fx! - r.fBaseline!)), 'F(x) − F(baseline): what the attributions add up to'),
    ),
    baseline ? h('div', { class: 'baseline' }, h('span', { class: 'field-label' }, `Baseline (${b!.kind})`), baseline) : null,
    warning ? h('p', { class: 'note warning', role: 'note', 'data-testid': 'ig-warning' }, warning) : null,
  );
}

function renderMetrics(r: SaliencyResult, m: FaithfulnessMetrics): HTMLElement {
  const method = METHOD_NAMES[r.method];
  const p = scoreName(r);
  const curve = (ys: number[]) => ys.map((y, i) => ({ x: ys.length > 1 ? i / (ys.length - 1) : 0, y }));
  const plot = (what: 'Deletion' | 'Insertion', ys: number[], random: number[], auc: number, randomAuc: number, better: 'lower' | 'higher') => {
    const good = better === 'lower' ? auc < randomAuc : auc > randomAuc;
    const verb = what === 'Deletion' ? 'removed' : 'inserted';
    return h(
      'div',
      { class: 'metric' },
      h('p', {}, h('strong', {}, `${what}`), ` AUC ${auc.toFixed(3)}: `, h('span', { class: good ? 'good' : 'bad' }, good ? `${better} than random` : `not ${better} than random`), ` (${randomAuc.toFixed(3)}; ${better} is more faithful)`),
      lineChart({
        label: `${what} curve: ${p} as the most attributed features are ${verb} first, beside a random order`,
        testId: `${what.toLowerCase()}-chart`,
        height: 190,
        x: { title: `fraction of features ${verb}`, min: 0, max: 1, step: 0.25 },
        // Probabilities on [0, 1]; a regression head's values on the chart's own range.
        y: r.targetValue !== undefined ? { title: p } : { title: p, min: 0, max: 1, step: 0.25 },
        series: [
          { label: `${method} · AUC ${auc.toFixed(3)}`, points: curve(ys), color: what === 'Deletion' ? 'red' : 'green', fill: true },
          { label: `random order · AUC ${randomAuc.toFixed(3)}`, points: curve(random), color: 'foreground', reference: true },
        ],
      }),
    );
  };
  return h(
    'div',
    { class: 'explain-metrics', 'data-testid': 'explain-metrics-result' },
    h('h4', {}, 'Faithfulness'),
    // Results kept from before the random curves were reported draw without them.
    plot('Deletion', m.deletionCurve, m.randomDeletionCurve ?? [], m.deletionAuc, m.randomDeletionAuc, 'lower'),
    plot('Insertion', m.insertionCurve, m.randomInsertionCurve ?? [], m.insertionAuc, m.randomInsertionAuc, 'higher'),
    m.maxSensitivity !== undefined ? h('p', { 'data-testid': 'max-sensitivity' }, sensitivityText(m.maxSensitivity, m.sensitivityRadius)) : null,
  );
}
