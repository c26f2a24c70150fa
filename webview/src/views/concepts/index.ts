/**
 * The Concepts section: how much does a human concept matter to a class, at each layer (TCAV), and
 * what does each layer encode (linear probes)? The form (form.ts) and the results (tcav.ts,
 * probes.ts); runs, history and side by side go through the panel's generic section machinery
 * (../section.ts).
 */
import type { ModelSummary } from '../../../../src/protocol/model';
import { CONCEPTS_METHOD_NAMES, type HistoryEntry, type SectionMessage, type SectionRun, type ToWebview } from '../../../../src/protocol/webview';
import { h } from '../../dom';
import { applyRun, mount, onSectionMessage, redraw, savedResult, type SectionView } from '../section';
import { renderForm } from './form';
import { renderProbes, type ProbeRun } from './probes';
import { createStore, saveForm } from './store';
import { renderTcav, type TcavRun } from './tcav';

type ConceptsMessage =
  | Extract<ToWebview, { type: 'conceptData' | 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: 'concepts' }>
  | SectionMessage<'concepts'>;

const store = createStore();
const kept = savedResult('concepts');
if (kept) applyRun(store, kept);

const update = (): void => redraw(store, view);

const runText = (run: SectionRun<'concepts'>) => (run.options.method === 'tcav' ? `TCAV for ${run.inputLabel}` : `Linear probes on ${run.inputLabel}`);

const view: SectionView<'concepts'> = {
  title: 'Concepts',
  form: () => renderForm(store, update),
  empty: () =>
    h(
      'p',
      { class: 'muted' },
      'How much does a concept (striped) matter to a class (zebra), and at which layer? TCAV tests concepts against random examples, with significance; linear probes show what each layer encodes.',
    ),
  runText,
  cardTitle: runText,
  result: (run) => (run.options.method === 'tcav' ? renderTcav(run as TcavRun) : renderProbes(run as ProbeRun)),
  card: (run) => (run.options.method === 'tcav' ? renderTcav(run as TcavRun, true) : renderProbes(run as ProbeRun, true)),
  entryParts: (entry: HistoryEntry) => entryParts(entry),
};

/** A kept run in words: "TCAV · layers conv2, dense1 · concepts striped, shaded · runs 5". */
function entryParts(entry: HistoryEntry): string[] {
  const o = entry.options;
  const method = o.method === 'probe' ? 'probe' : 'tcav';
  const parts = [CONCEPTS_METHOD_NAMES[method]];
  if (Array.isArray(o.layers)) parts.push(`layers ${o.layers.join(', ')}`);
  else if (method === 'probe') parts.push('every layer');
  if (Array.isArray(o.concepts)) parts.push(`concepts ${o.concepts.map((c) => (typeof c === 'object' && c !== null ? String((c as { name?: unknown }).name) : String(c))).join(', ')}`);
  if (typeof o.runs === 'number') parts.push(`runs ${o.runs}`);
  if (typeof o.alpha === 'number' && o.alpha !== 0.05) parts.push(`α ${o.alpha}`);
  if (o.bonferroni === true) parts.push('Bonferroni');
  return parts;
}

export function renderConcepts(summary: ModelSummary): HTMLElement {
  return mount(store, summary, view);
}

export function onConceptsMessage(message: ConceptsMessage): void {
  switch (message.type) {
    case 'conceptData':
      store.data = message;
      redraw(store, view, ['form']);
      return;
    default:
      if ((message.type === 'sectionRunning' && message.run > store.latestRun && !message.group) || (message.type === 'sectionResult' && message.run >= store.latestRun && !message.group)) {
        // A run the host started (e.g. from the command) shows its choices in the form.
        const o = message.options;
        store.method = o.method;
        if (o.method === 'tcav') {
          store.classValue = String(o.class);
          store.tcavLayers = o.layers;
          if (o.concepts) store.concepts = o.concepts;
        } else store.probeLayers = o.layers ?? [];
        saveForm(store);
      }
      onSectionMessage(store, view, message);
  }
}
