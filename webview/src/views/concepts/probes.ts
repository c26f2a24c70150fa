/**
 * A linear-probe result: per layer, the held-out accuracy of a linear probe reading the labels from
 * the layer's activations, the same probe's on permuted labels (the control, outlined) and their
 * difference, the selectivity (Hewitt & Liang): what the layer encodes beyond what a probe fits to
 * noise; the majority guess as a dashed line; then the table.
 */
import type { ProbeResult } from '../../../../src/protocol/concepts';
import type { SectionResult } from '../../../../src/protocol/webview';
import { tag } from '../../components';
import { formatCount, h, relativePath } from '../../dom';
import { barChart } from '../../widgets/chart';
import { fact } from '../section';

export type ProbeRun = SectionResult<'concepts'> & { result: ProbeResult };

/** More layers than this are drawn as horizontal bars, one row each. */
const HORIZONTAL_FROM = 10;

export function renderProbes(run: ProbeRun, compact = false): HTMLElement {
  const r = run.result;
  return h(
    'div',
    { class: 'concepts-result probe-result', 'data-testid': 'probe-result', 'data-run': String(run.run) },
    h('header', {}, h('h3', {}, `Linear probes · ${r.data.labels.join(' / ')}`), h('div', { class: 'tags' }, tag(r.backend))),
    h(
      'p',
      { class: 'note' },
      `Each layer's activations feed a linear classifier trained on 2/3 of ${relativePath(r.data.path)} to tell ${r.data.labels.join(', ')} apart, tested on the other third; ` +
        'the control is the same probe on permuted labels, so selectivity (accuracy − control) says what the layer encodes rather than what a probe memorises.',
    ),
    compact
      ? null
      : h(
          'dl',
          { class: 'explain-facts' },
          fact('Examples', h('span', {}, `${formatCount(r.data.examples)} used`), r.data.read > r.data.examples ? `a stratified sample of ${formatCount(r.data.read)}` : undefined),
          fact('Majority guess', h('span', {}, r.majorityAccuracy.toFixed(3)), 'the accuracy of always answering the most common label'),
          fact('Elapsed', h('span', {}, `${Math.round(r.ms).toLocaleString('en-US')} ms`)),
        ),
    probeChart(r, compact),
    probeTable(r),
    r.warnings.length ? h('ul', { class: 'notes' }, ...r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
  );
}

function probeTable(r: ProbeResult): HTMLElement {
  const num = (v: number) => h('td', { class: 'num' }, v.toFixed(3));
  const head = ['Layer', 'Features', 'Accuracy', 'Control', 'Selectivity'].map((t, i) => h('th', i ? { class: 'num' } : {}, t));
  const rows = r.layers.map((l) => h('tr', { 'data-testid': 'probe-row' }, h('td', {}, l.layer), h('td', { class: 'num' }, formatCount(l.features)), num(l.accuracy), num(l.controlAccuracy), num(l.selectivity)));
  return h('div', { class: 'table-scroll' }, h('table', { class: 'probe-table', 'data-testid': 'probe-table' }, h('thead', {}, h('tr', {}, ...head)), h('tbody', {}, ...rows)));
}

function probeChart(r: ProbeResult, compact: boolean): HTMLElement {
  const horizontal = r.layers.length > HORIZONTAL_FROM;
  const low = Math.min(0, ...r.layers.map((l) => l.selectivity));
  return barChart({
    label: 'Linear probe accuracy, control accuracy and selectivity per layer, beside the majority guess',
    testId: 'probe-chart',
    horizontal,
    height: horizontal ? 40 + 26 * r.layers.length : compact ? 200 : 240,
    categories: r.layers.map((l) => l.layer),
    category: 'layer',
    value: { title: 'held-out accuracy', min: low < 0 ? Math.floor(low * 4) / 4 : 0, max: 1, step: 0.25 },
    series: [
      { label: 'probe accuracy', values: r.layers.map((l) => l.accuracy), color: 'blue' },
      { label: 'control (permuted labels)', values: r.layers.map((l) => l.controlAccuracy), color: 'foreground', reference: true },
      { label: 'selectivity (accuracy − control)', values: r.layers.map((l) => l.selectivity), color: 'green' },
    ],
    references: [{ value: r.majorityAccuracy, label: `majority guess ${r.majorityAccuracy.toFixed(2)}` }],
  });
}
