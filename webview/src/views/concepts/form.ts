/**
 * The Concepts form: TCAV (the class, the layers, the concepts — the sidecar's and folders chosen
 * through the host's dialog, named only by name —, the random examples, runs and significance) or
 * linear probes (the layers and the labelled data). Paths never leave the host: the webview asks
 * it for dialogs.
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import { checkSectionOptions, type ConceptsMethod, type DataChoice } from '../../../../src/protocol/webview';
import { conceptLayers, defaultConceptLayers } from '../../../../src/shared/concepts';
import { button, checkbox, dropdown } from '../../components';
import { formatShape, h } from '../../dom';
import { post } from '../../messaging';
import { classChoices, field, formOptions, optionControls, runControls } from '../form';
import { requestRun } from '../section';
import { saveForm, type ConceptsStore } from './store';

/** The options TCAV's form draws with the generic controls; class, layers and concepts it draws itself. */
const GENERIC_KEYS = ['runs', 'alpha', 'bonferroni'] as const;

export function renderForm(store: ConceptsStore, redraw: () => void): HTMLElement {
  const changed = () => {
    store.formError = undefined;
    saveForm(store);
  };
  const method = dropdown(
    (['tcav', 'probe'] as const).map((m) => ({ value: m, label: m === 'tcav' ? 'TCAV (concept scores)' : 'Linear probes (what each layer encodes)' })),
    store.method,
    (value) => {
      store.method = value as ConceptsMethod;
      changed();
      redraw();
    },
    'Concepts method',
    'concepts-method',
  );
  const tcav = store.method === 'tcav';
  const body = tcav ? tcavFields(store, changed) : probeFields(store, changed);
  const label = tcav ? 'Test concepts' : 'Probe layers';
  return h('div', { class: 'explain-form concepts-form' }, field('Method', method), ...body, runControls('concepts', label, !!store.running, () => runClicked(store, redraw), store.formError));
}

function tcavFields(store: ConceptsStore, changed: () => void): HTMLElement[] {
  const s = store.summary;
  const classes = classChoices(s, '').slice(1);
  const cls = dropdown(classes, store.classValue || classes[0]?.value || '', (v) => ((store.classValue = v), changed()), 'Class', 'concepts-class');
  const layers = checklist('Layers (the concepts are read at each)', choicesOf(conceptLayers(s)), new Set(store.tcavLayers ?? defaultConceptLayers(s)), (chosen) => ((store.tcavLayers = chosen), changed()), 'concepts-layers');
  const generic = optionControls({
    request: 'tcav',
    method: 'tcav',
    values: store.values,
    summary: s,
    testPrefix: 'concepts',
    keys: GENERIC_KEYS,
    onChange: (key, value) => ((store.values = { ...store.values, [key]: value }), changed()),
  });
  return [field('Class', cls, 'the class whose logit is differentiated'), ...generic, layers, renderConcepts(store, changed), dataRow('Random examples', store.data.random, 'random', 'No random examples: the sidecar names none (data.random).', 'a folder of random sets (sub-folders or set files), or one pool of examples to draw them from')];
}

function probeFields(store: ConceptsStore, changed: () => void): HTMLElement[] {
  const layers = checklist('Layers', choicesOf(store.summary?.layers ?? []), new Set(store.probeLayers), (chosen) => ((store.probeLayers = chosen), changed()), 'concepts-probe-layers', 'none ticked: every layer, the input first');
  const note = 'examples labelled with what to read: a folder with a sub-folder per label, or CSV / JSONL / tensor JSON with a label';
  return [layers, dataRow('Labelled data', store.data.probeData, 'probeData', 'No labelled data: the sidecar names no data.test or data.train.', note, 'its classes')];
}

/** The concepts on offer, each ticked or not (all, until the user chooses), chosen ones removable; and "Add concept folders…". */
function renderConcepts(store: ConceptsStore, changed: () => void): HTMLElement {
  const offered = store.data.concepts;
  const add = button('Add concept folders…', () => post({ type: 'chooseConceptData', what: 'concepts' }), 'secondary', 'concepts-add');
  if (!offered.length) {
    return h(
      'div',
      { class: 'concept-data missing', 'data-testid': 'concepts-none' },
      h('span', {}, 'No concepts: the sidecar names none (data.concepts). Add folders of concept examples, or name them in the sidecar.'),
      add,
      button('Edit sidecar', () => post({ type: 'openSidecar' })),
    );
  }
  const ticked = new Set(store.concepts ?? offered.map((c) => c.name));
  const rows = offered.map((c) => {
    const box = checkbox(c.name, ticked.has(c.name), (on) => {
      if (on) ticked.add(c.name);
      else ticked.delete(c.name);
      store.concepts = offered.filter((x) => ticked.has(x.name)).map((x) => x.name);
      changed();
    }, `concepts-concept-${c.name}`);
    const remove = c.source === 'chosen' ? h('button', { class: 'link-button', type: 'button', title: `Stop offering ${c.label}`, 'data-testid': `concepts-remove-${c.name}` }, 'Remove') : null;
    remove?.addEventListener('click', () => post({ type: 'removeConcept', name: c.name }));
    return h('div', { class: 'concept-row' }, box, h('code', { class: 'muted' }, c.label), h('span', { class: 'muted' }, c.source === 'sidecar' ? '(sidecar)' : '(chosen)'), remove);
  });
  return h('fieldset', { class: 'field concept-list', 'data-testid': 'concepts-concepts' }, h('legend', { class: 'field-label' }, 'Concepts'), ...rows, add);
}

/**
 * Where a run's data comes from (the sidecar, `sidecarNote` saying more, or chosen) with Change…
 * (its tooltip: what may be chosen), or why there is none with Choose… and Edit sidecar.
 */
function dataRow(label: string, d: DataChoice, what: 'random' | 'probeData', missing: string, note: string, sidecarNote?: string): HTMLElement {
  const choose = () => post({ type: 'chooseConceptData', what });
  const testId = what === 'random' ? 'concepts-random' : 'concepts-probe-data';
  if (d.source === 'none') {
    return h('div', { class: 'concept-data missing', 'data-testid': testId }, h('span', {}, missing), button(`Choose ${label.toLowerCase()}…`, choose, 'secondary', `${testId}-choose`), button('Edit sidecar', () => post({ type: 'openSidecar' })));
  }
  const change = h('button', { class: 'link-button', type: 'button', title: `Use another folder or file: ${note}`, 'data-testid': `${testId}-change` }, 'Change…');
  change.addEventListener('click', choose);
  const source = d.source === 'sidecar' ? `(sidecar${sidecarNote ? `: ${sidecarNote}` : ''})` : '(chosen)';
  return h('div', { class: 'concept-data', 'data-testid': testId }, h('span', { class: 'field-label' }, label), h('code', {}, d.label ?? ''), h('span', { class: 'muted' }, source), change);
}

/** A fieldset of checkboxes; `onChange` gets the ticked values in the list's order. */
function checklist(legend: string, items: { value: string; label: string }[], chosen: Set<string>, onChange: (chosen: string[]) => void, testId: string, note?: string): HTMLElement {
  const boxes = items.map((item) =>
    checkbox(item.label, chosen.has(item.value), (on) => {
      if (on) chosen.add(item.value);
      else chosen.delete(item.value);
      onChange(items.filter((i) => chosen.has(i.value)).map((i) => i.value));
    }, `${testId}-${item.value}`),
  );
  return h('fieldset', { class: 'field layer-list', 'data-testid': testId }, h('legend', { class: 'field-label' }, legend), h('div', { class: 'layer-boxes' }, ...boxes), note ? h('span', { class: 'muted scope-note' }, note) : null);
}

function layerLabel(l: ModelSummary['layers'][number]): string {
  return `${l.name} (${l.className}${l.outputShape[0] ? ` ${formatShape(l.outputShape[0])}` : ''})`;
}

const choicesOf = (layers: ModelSummary['layers']) => layers.map((l) => ({ value: l.name, label: layerLabel(l) }));

/** Run: the form's choices as the section's options, checked as the host checks them. */
function runClicked(store: ConceptsStore, redraw: () => void): void {
  const fail = (problem: string) => {
    store.formError = problem;
    redraw();
  };
  if (store.method === 'probe') {
    const raw = { method: 'probe', ...(store.probeLayers.length ? { layers: store.probeLayers } : {}) };
    const { options, problem } = checkSectionOptions('concepts', raw);
    if (!options) return fail(problem ?? 'invalid options');
    return requestRun('concepts', undefined, options);
  }
  const classes = classChoices(store.summary, '').slice(1);
  const layers = store.tcavLayers ?? defaultConceptLayers(store.summary);
  const offered = store.data.concepts.map((c) => c.name);
  const concepts = (store.concepts ?? offered).filter((c) => offered.includes(c));
  if (!layers.length) return fail('Tick at least one layer to read the concepts at.');
  if (offered.length && !concepts.length) return fail('Tick at least one concept.');
  const generic = formOptions('tcav', 'tcav', undefined, store.values);
  const raw = {
    method: 'tcav',
    class: Number(store.classValue || classes[0]?.value || 0),
    layers,
    ...(concepts.length ? { concepts } : {}),
    ...Object.fromEntries(GENERIC_KEYS.filter((k) => generic[k] !== undefined).map((k) => [k, generic[k]])),
  };
  const { options, problem } = checkSectionOptions('concepts', raw);
  if (!options) return fail(problem ?? 'invalid options');
  requestRun('concepts', undefined, options);
}
