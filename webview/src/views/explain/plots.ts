/** The Explain result's details: method, summary, target and facts, the top classes, and the faithfulness curves. */
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { METHOD_NAMES } from '../../../../src/shared/methods';
import { formatNumber, h } from '../../dom';
import { fact } from '../section';

export function renderDetails(run: { inputLabel: string; result: SaliencyResult }): HTMLElement {
  const r = run.result;
  const targetLabel = r.targetLabel && r.targetLabel !== String(r.target) ? `${r.target} (${r.targetLabel})` : String(r.target);
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
    r.metrics ? renderMetrics(r) : null,
  );
}

function renderMetrics(r: SaliencyResult): HTMLElement {
  const m = r.metrics!;
  const row = (name: string, auc: number, random: number, curve: number[], better: 'lower' | 'higher', color: 'red' | 'green') => {
    const good = better === 'lower' ? auc < random : auc > random;
    const canvas = h('canvas', { class: 'curve', width: '180', height: '64', role: 'img', 'aria-label': `${name} curve` });
    drawCurve(canvas, curve, color);
    return h(
      'div',
      { class: 'metric' },
      h('div', {}, h('strong', {}, name), ` AUC ${auc.toFixed(3)} `, h('span', { class: good ? 'good' : 'bad' }, good ? `${better}` : `not ${better}`), ` than random ${random.toFixed(3)}`),
      canvas,
    );
  };
  return h(
    'div',
    { class: 'explain-metrics', 'data-testid': 'explain-metrics-result' },
    h('h4', {}, 'Faithfulness'),
    row('Deletion', m.deletionAuc, m.randomDeletionAuc, m.deletionCurve, 'lower', 'red'),
    row('Insertion', m.insertionAuc, m.randomInsertionAuc, m.insertionCurve, 'higher', 'green'),
    m.maxSensitivity !== undefined ? h('p', {}, `Max-sensitivity ${formatNumber(m.maxSensitivity)} (lower is steadier)`) : null,
  );
}

function drawCurve(canvas: HTMLCanvasElement, curve: number[], color: 'red' | 'green'): void {
  const ctx = canvas.getContext('2d');
  if (!ctx || curve.length < 2) return;
  const style = getComputedStyle(document.body);
  const stroke = style.getPropertyValue(`--vscode-charts-${color}`).trim() || (color === 'red' ? '#f14c4c' : '#89d185');
  const axis = style.getPropertyValue('--vscode-descriptionForeground').trim() || '#888';
  const w = canvas.width;
  const hgt = canvas.height;
  const pad = 4;
  ctx.clearRect(0, 0, w, hgt);
  ctx.strokeStyle = axis;
  ctx.globalAlpha = 0.5;
  ctx.beginPath();
  ctx.moveTo(pad, pad);
  ctx.lineTo(pad, hgt - pad);
  ctx.lineTo(w - pad, hgt - pad);
  ctx.stroke();
  ctx.globalAlpha = 1;
  const x = (i: number) => pad + ((w - 2 * pad) * i) / (curve.length - 1);
  const y = (v: number) => hgt - pad - (hgt - 2 * pad) * Math.max(0, Math.min(1, Number.isFinite(v) ? v : 0));
  ctx.fillStyle = stroke;
  ctx.globalAlpha = 0.15;
  ctx.beginPath();
  ctx.moveTo(x(0), y(0));
  curve.forEach((v, i) => ctx.lineTo(x(i), y(v)));
  ctx.lineTo(x(curve.length - 1), hgt - pad);
  ctx.lineTo(x(0), hgt - pad);
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.strokeStyle = stroke;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  curve.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
  ctx.stroke();
}
