/**
 * The Influence section: which training examples made the model predict this? Pick an input (the
 * host's list, shared with Explain), a method and the test point's label, and Find. The result is
 * drawn here: a header (method, solver, parameter scope and why, damping, the test point, the
 * training set and its skipped rows) and two galleries, proponents and opponents, of thumbnails,
 * table rows or text snippets; self-influence lists the suspicious training examples to review.
 * Clicking an example asks the host to open it, naming it by its index in the result.
 */
import type { ExamplePreview, InfluenceMethod, InfluenceResult, InfluenceScore } from '../../../src/protocol/influence';
import { INFLUENCE_METHODS } from '../../../src/protocol/influence';
import type { ModelSummary } from '../../../src/protocol/model';
import { checkSectionOptions, INFLUENCE_METHOD_NAMES, type SectionMessage, type ToWebview } from '../../../src/protocol/webview';
import { button, checkbox, dropdown, tag } from '../components';
import { formatCount, formatNumber, h } from '../dom';
import { post, saved } from '../messaging';
import { field, formOptions, inputDropdown, optionControls, restoreValues, runControls, valuesFrom, type FormValues } from './form';
import { applyRun, cancelRun, fact, failedStatus, mount, rendered, requestRun, runningStatus, savedResult, sectionState, takeInputs, type SectionState } from './section';

type InfluenceMessage = Extract<ToWebview, { type: 'explainInputs' | 'influenceTrain' }> | SectionMessage<'influence'>;
type Run = Extract<SectionMessage<'influence'>, { type: 'sectionResult' }>;

const SNIPPET_CHARS = 160;
const MAX_CELLS = 8;
const CHOICE_LABELS: Record<string, string> = { cg: 'Conjugate gradient', lissa: 'LiSSA', exact: 'Exact (Cholesky)' };

interface InfluenceStore extends SectionState<'influence'> {
  method: InfluenceMethod;
  /** The form's values by option key: the one source of truth of what Find sends. */
  values: FormValues;
  train: Extract<ToWebview, { type: 'influenceTrain' }>;
  /** Ids of suspicious examples the user marked as reviewed (kept across reloads). */
  reviewed: Set<string>;
}

const store: InfluenceStore = createStore();
const kept = savedResult('influence');
if (kept) applyRun(store, kept);

function createStore(): InfluenceStore {
  const form = saved.get().influenceForm;
  const method = INFLUENCE_METHODS.includes(form?.method as InfluenceMethod) ? (form!.method as InfluenceMethod) : 'influence';
  const { method: _m, ...values } = restoreValues(form);
  return { ...sectionState('influence'), method, values, train: { type: 'influenceTrain', source: 'none' }, reviewed: new Set(saved.get().influenceReviewed ?? []) };
}

function saveForm(): void {
  saved.update({ influenceForm: { ...store.values, method: store.method } });
}

export function renderInfluence(summary: ModelSummary): HTMLElement {
  return mount(store, summary, update);
}

export function onInfluenceMessage(message: InfluenceMessage): void {
  switch (message.type) {
    case 'explainInputs':
      takeInputs(store, message);
      break;
    case 'influenceTrain':
      store.train = message;
      break;
    default:
      if (!applyRun(store, message)) return;
      if (message.type !== 'sectionError') {
        // A run the host started (e.g. from the command) shows its method and options in the form.
        store.method = message.options.method;
        store.values = valuesFrom('influence', message.options, store.values);
        saveForm();
      }
  }
  update();
  if (message.type === 'sectionResult') queueMicrotask(() => rendered('influence', message.run));
}

function update(): void {
  const root = store.root;
  if (!root) return;
  root.replaceChildren(
    ...[
      h('h2', {}, 'Influence'),
      renderForm(),
      renderStatus(),
      store.result
        ? renderResult(store.result)
        : h('p', { class: 'muted' }, 'Which training examples made the model predict this? Find ranks the training set by influence on one prediction: proponents helped it, opponents worked against it.'),
    ].filter((p): p is HTMLElement => p !== null),
  );
}

// ---------------------------------------------------------------- form

function renderForm(): HTMLElement {
  const self = store.method === 'self';
  const method = dropdown(
    INFLUENCE_METHODS.map((m) => ({ value: m, label: INFLUENCE_METHOD_NAMES[m] })),
    store.method,
    (value) => {
      store.method = value as InfluenceMethod;
      store.formError = undefined;
      saveForm();
      update();
    },
    'Influence method',
    'influence-method',
  );
  const input = inputDropdown(store.inputs, store.selected, (index) => (store.selected = index), 'Input whose prediction to trace', 'influence-input');
  const options = optionControls({
    request: 'influence',
    method: store.method,
    values: store.values,
    summary: store.summary,
    testPrefix: 'influence',
    choiceLabels: CHOICE_LABELS,
    onChange: (key, value) => {
      store.values = { ...store.values, [key]: value };
      store.formError = undefined;
      saveForm();
    },
  });
  return h(
    'div',
    { class: 'explain-form influence-form' },
    field('Method', method),
    self ? null : field('Input', input),
    ...options,
    renderTrain(),
    runControls('influence', 'Find', !!store.running, findClicked, () => cancelRun('influence'), store.formError),
  );
}

function renderTrain(): HTMLElement {
  const t = store.train;
  if (t.source === 'none') {
    return h(
      'div',
      { class: 'influence-train missing', 'data-testid': 'influence-train' },
      h('span', {}, 'No training set: the sidecar names none (data.train).'),
      button('Choose training data…', () => post({ type: 'chooseTrain' }), 'secondary', 'influence-choose-train'),
      button('Edit sidecar', () => post({ type: 'openSidecar' })),
    );
  }
  return h(
    'div',
    { class: 'influence-train', 'data-testid': 'influence-train' },
    h('span', { class: 'field-label' }, 'Training set'),
    h('code', {}, t.label ?? ''),
    h('span', { class: 'muted' }, t.source === 'sidecar' ? '(sidecar)' : '(chosen)'),
    changeLink(),
  );
}

function changeLink(): HTMLElement {
  const link = h('button', { class: 'link-button', type: 'button', title: 'Use another folder or file as the training set' }, 'Change…');
  link.addEventListener('click', () => post({ type: 'chooseTrain' }));
  return link;
}

/** Find: the form's values as options, checked by the same schemas the host checks with. */
function findClicked(): void {
  const raw = formOptions('influence', store.method, undefined, store.values);
  const { problem } = checkSectionOptions('influence', raw);
  if (problem) {
    store.formError = problem;
    update();
    return;
  }
  if (store.method === 'self') {
    requestRun('influence', undefined, raw as never);
    return;
  }
  if (!store.inputs.length) {
    post({ type: 'chooseInput' });
    return;
  }
  requestRun('influence', store.selected, raw as never);
}

// ---------------------------------------------------------------- status

function renderStatus(): HTMLElement | null {
  const r = store.running;
  if (r) {
    const p = r.progress;
    const what = r.options.method === 'self' ? INFLUENCE_METHOD_NAMES.self : `${INFLUENCE_METHOD_NAMES[r.options.method]} on ${r.inputLabel}`;
    return runningStatus(
      'influence',
      what,
      p ? h('span', { class: 'muted', 'data-testid': 'influence-progress' }, p.message ?? `${formatCount(p.done)} / ${formatCount(p.total)}`) : null,
      p && p.total > 0 ? h('progress', { max: String(p.total), value: String(p.done) }) : null,
    );
  }
  const e = store.error;
  return e ? failedStatus('influence', INFLUENCE_METHOD_NAMES[e.options.method], e) : null;
}

// ---------------------------------------------------------------- result

function renderResult(run: Run): HTMLElement {
  const r = run.result;
  const indexed = r.scores.map((score, index) => ({ score, index }));
  const body =
    r.method === 'self'
      ? renderSuspicious(run.run, indexed)
      : h(
          'div',
          { class: 'galleries' },
          gallery(run.run, 'Proponents', 'helped this prediction', 'proponents', indexed.filter((s) => s.score.score >= 0)),
          // The result lists opponents weakest first: show the strongest first.
          gallery(run.run, 'Opponents', 'worked against it', 'opponents', indexed.filter((s) => s.score.score < 0).reverse()),
        );
  return h('div', { class: `influence-result${store.running ? ' stale' : ''}`, 'data-testid': 'influence-result', 'data-run': String(run.run) }, renderHeader(r), body);
}

function renderHeader(r: InfluenceResult): HTMLElement {
  const scope = r.paramScope;
  const t = r.test;
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
      t
        ? fact(
            'Test point',
            h('span', { 'data-testid': 'influence-test' }, `${t.inputPath.split(/[\\/]/).pop()} · label ${t.labelName}`),
            `${t.labelFromPrediction ? 'predicted' : 'given'} · loss ${formatNumber(t.loss)}`,
          )
        : null,
      fact('Parameters', h('span', { 'data-testid': 'influence-scope' }, `${formatCount(scope.params)} in ${scope.layers.join(', ') || '—'}`), scope.reason),
      r.damping !== null ? fact('Damping λ', h('span', {}, formatNumber(r.damping))) : null,
      r.solverInfo ? fact('Solver', h('span', {}, `${r.solverInfo.iterations} iterations`), `residual ${formatNumber(r.solverInfo.residual)}`) : null,
      r.estimate ? fact('Expected', h('span', { 'data-testid': 'influence-estimate' }, `≈ ${formatNumber(r.estimate.seconds)} s`), `${r.estimate.hvps} Hessian-vector products × ${formatNumber(r.estimate.hvpMs)} ms`) : null,
      r.checkpoints?.length ? fact('Checkpoints', h('span', {}, String(r.checkpoints.length)), r.checkpoints.map((c) => `${c.path} (η ${formatNumber(c.learningRate)})`).join(', ')) : null,
      fact('Training set', h('span', { 'data-testid': 'influence-train-size' }, `${formatCount(r.trainSize)} examples`), r.trainPath),
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
      h('code', { class: 'example-id' }, s.id),
    ),
  );
  onActivate(card, () => post({ type: 'openInfluenceExample', run: runId, index }));
  return card;
}

/** Self-influence: the most self-influential examples, to open and mark as reviewed one by one. */
function renderSuspicious(runId: number, items: Indexed[]): HTMLElement {
  const max = Math.max(1e-30, ...items.map((s) => Math.abs(s.score.score)));
  const rows = items.map(({ score: s, index }, rank) => {
    const open = h('button', { class: 'link-button', type: 'button' }, 'Open');
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
        h('span', { class: 'example-score', title: 'self-influence' }, 'self-influence ', h('span', { 'data-testid': 'influence-score' }, formatNumber(s.score))),
        h('span', { class: 'score-track' }, h('span', { class: 'score-bar pos', style: `width: ${((100 * Math.abs(s.score)) / max).toFixed(1)}%` })),
      ),
      h('div', { class: 'suspect-actions' }, open, checkbox('Reviewed', store.reviewed.has(s.id), (checked) => markReviewed(s.id, checked, row))),
    );
    return row;
  });
  return h(
    'div',
    { class: 'gallery suspicious', 'data-testid': 'suspicious' },
    h('h4', {}, 'Suspicious training examples', h('span', { class: 'muted' }, ' · highest self-influence first: often mislabelled or atypical')),
    h('ol', { class: 'suspects' }, ...rows),
  );
}

function markReviewed(id: string, reviewed: boolean, row: HTMLElement): void {
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
      const cells = Object.entries(p.cells).slice(0, MAX_CELLS);
      return h(
        'table',
        { class: 'example-preview example-row' },
        h('tr', {}, ...cells.map(([k]) => h('th', {}, k))),
        h('tr', {}, ...cells.map(([, v]) => h('td', {}, v))),
      );
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
