/**
 * An influence result: the test input on top (thumbnail, row or sentence) with its label, the
 * model's prediction and loss; a header (method, solver, parameter scope and why, damping,
 * checkpoints, training set: paths relative to the workspace); then the proponent and opponent
 * galleries, or, for self-influence, the suspicious training examples with each one's label,
 * prediction and loss. Rows fit a half-width panel: their cells wrap onto more lines.
 * Clicking (or Enter on) an example asks the host to open it, naming it by its index in the result.
 */
import type { ExamplePreview, InfluenceResult, InfluenceScore } from '../../../../src/protocol/influence';
import { INFLUENCE_METHOD_NAMES, type SectionResult } from '../../../../src/protocol/webview';
import { checkbox, tag } from '../../components';
import { formatCount, formatNumber, h, relativePath } from '../../dom';
import { post, saved } from '../../messaging';
import { fact } from '../section';
import type { InfluenceStore } from './store';

export type Run = SectionResult<'influence'>;

const SNIPPET_CHARS = 160;
const MAX_CELLS = 8;

export function renderResult(store: InfluenceStore, run: Run, compact = false): HTMLElement {
  const r = run.result;
  const indexed = r.scores.map((score, index) => ({ score, index }));
  const body =
    r.method === 'self'
      ? renderSuspicious(store, run.run, indexed)
      : h(
          'div',
          { class: `galleries${compact ? ' compact' : ''}` },
          gallery(run.run, 'Proponents', 'helped this prediction', 'proponents', indexed.filter((s) => s.score.score >= 0)),
          // The result lists opponents weakest first: show the strongest first.
          gallery(run.run, 'Opponents', 'worked against it', 'opponents', indexed.filter((s) => s.score.score < 0).reverse()),
        );
  return h('div', { class: 'influence-result', 'data-testid': 'influence-result', 'data-run': String(run.run) }, r.test ? renderTest(r) : null, renderHeader(r, compact), body);
}

/** The prediction being explained: what the model saw, its label, what it predicted and the loss. */
function renderTest(r: InfluenceResult): HTMLElement {
  const t = r.test!;
  const top = t.prediction[0];
  return h(
    'div',
    { class: 'influence-test', 'data-testid': 'influence-test-input' },
    t.preview ? renderPreview(t.preview, relativePath(t.inputPath)) : null,
    h(
      'dl',
      { class: 'explain-facts' },
      fact('Test input', h('code', { 'data-testid': 'influence-test' }, relativePath(t.inputPath))),
      fact('Label', h('span', {}, t.labelName), t.labelFromPrediction ? 'the predicted class (no label given)' : 'given'),
      top ? fact('Prediction', h('span', { 'data-testid': 'influence-test-prediction' }, `${top.label} (${(top.probability * 100).toFixed(1)}%)`), t.prediction.slice(1).map((c) => `${c.label} ${(c.probability * 100).toFixed(1)}%`).join(', ')) : h('div'),
      fact('Loss', h('span', { 'data-testid': 'influence-test-loss' }, formatNumber(t.loss)), `cross-entropy at label ${t.labelName}`),
    ),
  );
}

function renderHeader(r: InfluenceResult, compact: boolean): HTMLElement {
  const scope = r.paramScope;
  return h(
    'div',
    { class: 'influence-header', 'data-testid': 'influence-header' },
    h(
      'header',
      {},
      h('h3', { 'data-testid': 'influence-result-method' }, INFLUENCE_METHOD_NAMES[r.method]),
      h('div', { class: 'tags' }, r.solver ? tag(r.solver, 'influence-solver') : null, r.cached ? tag('cached', 'influence-cached') : null, tag(r.backend)),
    ),
    h(
      'dl',
      { class: 'explain-facts' },
      fact('Parameters', h('span', { 'data-testid': 'influence-scope' }, `${formatCount(scope.params)} in ${scope.layers.join(', ') || '—'}`), scope.reason),
      r.damping !== null ? fact('Damping λ', h('span', {}, formatNumber(r.damping))) : null,
      r.solverInfo ? fact('Solver', h('span', {}, `${r.solverInfo.iterations} iterations`), `residual ${formatNumber(r.solverInfo.residual)}`) : null,
      r.estimate ? fact('Expected', h('span', { 'data-testid': 'influence-estimate' }, `≈ ${formatNumber(r.estimate.seconds)} s`), `${r.estimate.hvps} Hessian-vector products × ${formatNumber(r.estimate.hvpMs)} ms`) : null,
      r.checkpoints?.length ? fact('Checkpoints', h('span', {}, String(r.checkpoints.length)), compact ? undefined : r.checkpoints.map((c) => `${relativePath(c.path)} (η ${formatNumber(c.learningRate)})`).join(', ')) : null,
      fact('Training set', h('span', { 'data-testid': 'influence-train-size' }, `${formatCount(r.trainSize)} examples`), relativePath(r.trainPath)),
      fact('Elapsed', h('span', {}, `${Math.round(r.ms).toLocaleString('en-US')} ms`), r.cached ? 'training gradients from the cache' : undefined),
    ),
    r.warnings.length ? h('ul', { class: 'notes', 'data-testid': 'influence-warnings' }, ...r.warnings.map((w) => h('li', { class: 'warning' }, w))) : null,
    r.skipped.length
      ? h(
          'details',
          { class: 'influence-skipped', 'data-testid': 'influence-skipped' },
          h('summary', {}, `${formatCount(r.skipped.length)} training ${r.skipped.length === 1 ? 'row' : 'rows'} skipped`),
          h('ul', {}, ...r.skipped.slice(0, 200).map((s) => h('li', {}, h('code', {}, s.id), ` ${s.reason}`))),
          r.skipped.length > 200 ? h('p', { class: 'muted' }, `and ${formatCount(r.skipped.length - 200)} more (see the log).`) : null,
        )
      : null,
  );
}

type Indexed = { score: InfluenceScore; index: number };

function gallery(runId: number, title: string, note: string, testId: string, items: Indexed[]): HTMLElement {
  const max = Math.max(1e-30, ...items.map((s) => Math.abs(s.score.score)));
  return h(
    'div',
    { class: 'gallery', 'data-testid': testId },
    h('h4', {}, title, h('span', { class: 'muted' }, ` · ${note}`)),
    items.length
      ? h('ol', { class: 'examples' }, ...items.map((s) => exampleCard(runId, s, max)))
      : h('p', { class: 'muted' }, `No ${title.toLowerCase()} among the ranked examples.`),
  );
}

/** "predicted 3 (81%) · loss 0.21", marking a prediction that differs from the label. */
function predictionText(s: InfluenceScore): HTMLElement | null {
  if (!s.prediction) return null;
  const wrong = s.prediction.index !== s.label;
  return h(
    'span',
    { class: `example-prediction${wrong ? ' mismatch' : ''}`, 'data-testid': 'influence-prediction' },
    `predicted ${s.prediction.label} (${(s.prediction.probability * 100).toFixed(0)}%)`,
    s.loss !== undefined ? ` · loss ${formatNumber(s.loss)}` : '',
  );
}

function exampleCard(runId: number, { score: s, index }: Indexed, max: number): HTMLElement {
  const card = h(
    'li',
    { class: `example ${s.preview.kind}`, 'data-testid': 'influence-example', 'data-index': String(index), tabindex: '0', role: 'button', title: `Open ${s.id}` },
    renderPreview(s.preview, s.id),
    h(
      'div',
      { class: 'example-meta' },
      h('span', { class: 'example-label' }, s.labelName),
      h('span', { class: 'example-score', 'data-testid': 'influence-score' }, formatNumber(s.score)),
      h('span', { class: 'score-track' }, h('span', { class: `score-bar ${s.score < 0 ? 'neg' : 'pos'}`, style: `width: ${((100 * Math.abs(s.score)) / max).toFixed(1)}%` })),
      predictionText(s),
      h('code', { class: 'example-id' }, s.id),
    ),
  );
  onActivate(card, () => post({ type: 'openInfluenceExample', run: runId, index }));
  return card;
}

/** Self-influence: the most self-influential examples, to open and mark as reviewed one by one. */
function renderSuspicious(store: InfluenceStore, runId: number, items: Indexed[]): HTMLElement {
  const max = Math.max(1e-30, ...items.map((s) => Math.abs(s.score.score)));
  const rows = items.map(({ score: s, index }, rank) => {
    const open = h('button', { class: 'link-button', type: 'button', 'data-testid': 'influence-open' }, 'Open');
    open.addEventListener('click', () => post({ type: 'openInfluenceExample', run: runId, index }));
    const row = h(
      'li',
      { class: `suspect${store.reviewed.has(s.id) ? ' reviewed' : ''}`, 'data-testid': 'influence-example', 'data-index': String(index) },
      h('span', { class: 'rank' }, String(rank + 1)),
      renderPreview(s.preview, s.id),
      h(
        'div',
        { class: 'example-meta' },
        h('code', { class: 'example-id' }, s.id),
        h('span', { class: 'example-label' }, `labelled ${s.labelName}`),
        predictionText(s),
        h('span', { class: 'example-score', title: 'self-influence' }, 'self-influence ', h('span', { 'data-testid': 'influence-score' }, formatNumber(s.score))),
        h('span', { class: 'score-track' }, h('span', { class: 'score-bar suspect-bar', 'data-testid': 'suspect-bar', style: `width: ${((100 * Math.abs(s.score)) / max).toFixed(1)}%` })),
      ),
      h('div', { class: 'suspect-actions' }, open, checkbox('Reviewed', store.reviewed.has(s.id), (checked) => markReviewed(store, s.id, checked, row))),
    );
    return row;
  });
  return h(
    'div',
    { class: 'gallery suspicious', 'data-testid': 'suspicious' },
    h('h4', {}, 'Suspicious training examples', h('span', { class: 'muted' }, ' · highest self-influence first: often mislabelled or atypical; a prediction that differs from the label is marked')),
    h('ol', { class: 'suspects' }, ...rows),
  );
}

function markReviewed(store: InfluenceStore, id: string, reviewed: boolean, row: HTMLElement): void {
  if (reviewed) store.reviewed.add(id);
  else store.reviewed.delete(id);
  row.classList.toggle('reviewed', reviewed);
  saved.update({ influenceReviewed: [...store.reviewed].slice(-1000) });
}

function renderPreview(p: ExamplePreview, id: string): HTMLElement {
  switch (p.kind) {
    case 'image':
      // Only data: URIs (the CSP allows nothing remote anyway).
      return h('div', { class: 'example-preview' }, p.png.startsWith('data:image/') ? h('img', { src: p.png, alt: id }) : null);
    case 'row': {
      // Name over value per cell, wrapping onto more lines in a narrow column (never into the next one).
      const cells = Object.entries(p.cells).slice(0, MAX_CELLS);
      return h('dl', { class: 'example-preview example-row' }, ...cells.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
    }
    case 'text':
      return h('p', { class: 'example-preview snippet', title: p.text }, p.text.length > SNIPPET_CHARS ? `${p.text.slice(0, SNIPPET_CHARS)}…` : p.text);
    case 'tensor':
      return h('p', { class: 'example-preview snippet' }, p.summary);
    default: {
      const unexpected: never = p;
      return h('p', {}, JSON.stringify(unexpected));
    }
  }
}

function onActivate(el: HTMLElement, action: () => void): void {
  el.addEventListener('click', action);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      action();
    }
  });
}

/** Why influence functions and TracIn rank differently, for these two results, and how much their top proponents agree. */
export function disagreementNote(runs: Run[]): string | null {
  const inf = runs.find((r) => r.result.method === 'influence')?.result;
  const tracin = runs.find((r) => r.result.method === 'tracin')?.result;
  if (!inf || !tracin) return null;
  const top = (r: InfluenceResult) => new Set(r.scores.filter((s) => s.score > 0).map((s) => s.index));
  const [a, b] = [top(inf), top(tracin)];
  const shared = [...a].filter((i) => b.has(i)).length;
  const scope = (r: InfluenceResult) => `${r.paramScope.layers.join(', ')} (${formatCount(r.paramScope.params)} parameters)`;
  return (
    `Why they can differ: influence functions ask how the final model would change without each example (its Hessian over ${scope(inf)}, damped by λ = ${formatNumber(inf.damping ?? 0)}); ` +
    `TracIn sums how each example's gradient agreed with this one along training, over ${tracin.checkpoints?.length ?? '?'} checkpoints (${scope(tracin)}), with no Hessian. ` +
    `${shared} of their top ${Math.max(a.size, b.size)} proponents are the same examples.`
  );
}
