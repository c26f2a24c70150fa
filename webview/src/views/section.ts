/**
 * What the panel's run sections (Explain, Influence, and the ones the next issues add) share, so
 * a new section gets all of it by being an entry in `Sections` and supplying a SectionView:
 *
 * - the run lifecycle (sectionRun → sectionRunning… → sectionResult | sectionError; superseded
 *   runs' late messages dropped) and the status line: progress with Cancel inside the section;
 * - run groups (several runs started together, e.g. Compare methods) shown side by side as they
 *   arrive, through the compare layout (widgets/compare.ts);
 * - the history: the host keeps each section's recent results (SectionController); the section
 *   lists them (method, options, target, input, time), shows one again, or two side by side;
 * - drawing into stable slots (form, status, history, result), so progress redraws only the status
 *   and a control keeps the keyboard focus when its slot is redrawn;
 * - a new result scrolls into view; the latest result is kept in the webview's state, so a
 *   reloaded window draws it at once (the host sends it and the history again).
 */
import type { ModelSummary } from '../../../src/protocol/model';
import type { ExplainInput, HistoryEntry, SectionId, SectionMessage, SectionRun, SectionResult, Sections, ToWebview } from '../../../src/protocol/webview';
import { button, checkbox, progressRing } from '../components';
import { formatCount, h } from '../dom';
import { post, saved } from '../messaging';
import { compareLayout, type CompareLayout } from '../widgets/compare';

type Of<S extends SectionId, T extends SectionMessage['type']> = Extract<SectionMessage<S>, { type: T }>;
export type ResultOf<S extends SectionId> = SectionResult<S>;
type ErrorOf<S extends SectionId> = Of<S, 'sectionError'>;

type Slot = 'form' | 'status' | 'history' | 'result';
const SLOTS: readonly Slot[] = ['form', 'status', 'history', 'result'];

export interface SectionState<S extends SectionId> {
  section: S;
  summary?: ModelSummary;
  root?: HTMLElement;
  slots?: Record<Slot, HTMLElement>;
  inputs: ExplainInput[];
  selected: number;
  latestRun: number;
  running?: Of<S, 'sectionRunning'>;
  result?: ResultOf<S>;
  error?: ErrorOf<S>;
  formError?: string;
  /** The latest run group's results and errors, by place in the group. */
  group?: { id: number; size: number; results: (ResultOf<S> | undefined)[]; errors: (ErrorOf<S> | undefined)[] };
  /** The host's kept results, newest first. */
  history: HistoryEntry[];
  /** Kept results shown instead of the latest (one, a group, or two side by side). */
  recalled?: ResultOf<S>[];
  /** History runs ticked for "Show side by side" (at most two). */
  ticked: number[];
  /** Runs that started while this webview was open: their results scroll into view. */
  live: Set<number>;
}

/** What a section supplies to the shared machinery. */
export interface SectionView<S extends SectionId> {
  title: string;
  form(): HTMLElement;
  /** Shown before the first result. */
  empty(): HTMLElement;
  /** A run in words, for status lines: "Integrated Gradients on digit-7-0.png". */
  runText(run: SectionRun<S>): string;
  /** A run's card title in a comparison whose runs share their input: "Integrated Gradients". */
  cardTitle(run: SectionRun<S>): string;
  /** The full view of a result. */
  result(run: ResultOf<S>): HTMLElement;
  /** A result as one card of a run group; `all`: every result of the group. */
  card(run: ResultOf<S>, all: ResultOf<S>[]): HTMLElement;
  /** A run group's header: its title, a note on reading it, shared controls, the layout. */
  compare?(runs: ResultOf<S>[]): Partial<Pick<CompareLayout, 'title' | 'note' | 'controls' | 'layout'>>;
  /** A history entry in words: its method first, then its options ("steps 32", "target class 7"). */
  entryParts(entry: HistoryEntry): string[];
}

export function sectionState<S extends SectionId>(section: S): SectionState<S> {
  return { section, inputs: [], selected: 0, latestRun: 0, history: [], ticked: [], live: new Set() };
}

/** The section's root `<section>` (class and test id: the section id), drawn now and on each message; `summary`: its model's (none in an ICL panel). */
export function mount<S extends SectionId>(state: SectionState<S>, summary: ModelSummary | undefined, view: SectionView<S>): HTMLElement {
  state.summary = summary;
  const slots = Object.fromEntries(SLOTS.map((s) => [s, h('div', { class: `section-${s}` })])) as unknown as Record<Slot, HTMLElement>;
  const root = h('section', { class: `run-section ${state.section}`, 'data-testid': state.section }, h('h2', {}, view.title), ...SLOTS.map((s) => slots[s]));
  state.root = root;
  state.slots = slots;
  redraw(state, view);
  return root;
}

/**
 * Redraws `parts` of the section (all by default). A focused control inside a redrawn slot gets
 * the focus back on its successor (same data-testid), so keyboard users stay where they were.
 */
export function redraw<S extends SectionId>(state: SectionState<S>, view: SectionView<S>, parts: readonly Slot[] = SLOTS): void {
  const slots = state.slots;
  if (!slots) return;
  for (const part of parts) {
    const slot = slots[part];
    const focused = focusedTestId(slot);
    slot.replaceChildren(...[renderSlot(state, view, part)].filter((e): e is HTMLElement => !!e));
    if (focused) refocus(slot, focused);
  }
}

function renderSlot<S extends SectionId>(state: SectionState<S>, view: SectionView<S>, part: Slot): HTMLElement | null {
  switch (part) {
    case 'form':
      return view.form();
    case 'status':
      return renderStatus(state, view);
    case 'history':
      return renderHistory(state, view);
    case 'result':
      return renderShown(state, view);
  }
}

function focusedTestId(slot: HTMLElement): string | undefined {
  const active = document.activeElement;
  if (!active || !slot.contains(active)) return undefined;
  return (active.closest('[data-testid]') as HTMLElement | null)?.dataset.testid;
}

function refocus(slot: HTMLElement, testId: string): void {
  const next = slot.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testId)}"]`);
  // Custom elements focus once they are upgraded and connected: now, and again after a frame.
  next?.focus();
  if (next && document.activeElement !== next) requestAnimationFrame(() => next.focus());
}

/** The host's input list arrived: keep the selection inside it. */
export function takeInputs<S extends SectionId>(state: SectionState<S>, message: { inputs: ExplainInput[]; selected: number }): void {
  state.inputs = message.inputs;
  state.selected = Math.max(0, Math.min(message.selected, message.inputs.length - 1));
}

type SectionToWebview<S extends SectionId> =
  | SectionMessage<S>
  | Extract<ToWebview, { type: 'sectionHistory' }>
  | Extract<ToWebview, { type: 'sectionRecalled'; section: S }>;

/**
 * Handles a section message of the host's (runs, history, recalled results) and redraws what it
 * changed. Returns the run message when it was applied (not a superseded run's), for the section's
 * own follow-up (e.g. showing a command's options in the form).
 */
export function onSectionMessage<S extends SectionId>(state: SectionState<S>, view: SectionView<S>, message: SectionToWebview<S>): SectionMessage<S> | undefined {
  switch (message.type) {
    case 'sectionHistory':
      state.history = message.entries;
      state.ticked = state.ticked.filter((r) => message.entries.some((e) => e.run === r));
      restoreRecalled(state);
      redraw(state, view, ['history']);
      return undefined;
    case 'sectionRecalled':
      state.recalled = message.results.length ? (message.results as ResultOf<S>[]) : undefined;
      saveRecalled(state);
      redraw(state, view, ['history', 'result']);
      return undefined;
    default: {
      const progressOnly = message.type === 'sectionRunning' && state.running?.run === message.run;
      if (!applyRun(state, message)) return undefined;
      if (message.type === 'sectionRunning' && !progressOnly) state.live.add(message.run);
      if (message.type === 'sectionResult' && state.recalled) {
        // A new result shows itself instead of the kept ones.
        state.recalled = undefined;
        saveRecalled(state);
      }
      redraw(state, view, progressOnly ? ['status'] : SLOTS);
      if (message.type === 'sectionRunning' && !progressOnly) reveal(state.slots?.status);
      if (message.type === 'sectionResult') {
        queueMicrotask(() => rendered(state.section, message.run));
        if (state.live.has(message.run)) reveal(state.slots?.result);
      }
      return message;
    }
  }
}

/** Scrolls an element into view when it is not on screen. */
function reveal(el: HTMLElement | undefined): void {
  if (!el?.firstElementChild) return;
  const r = el.getBoundingClientRect();
  if (r.top < 0 || r.top > window.innerHeight - 40) el.scrollIntoView({ block: 'start', behavior: 'smooth' });
}

/**
 * A run message of this section: running, result or error. False (and nothing changes) for a
 * message of a run older than the latest seen, i.e. a superseded run answering late.
 */
export function applyRun<S extends SectionId>(state: SectionState<S>, message: SectionMessage<S>): boolean {
  if (message.run < state.latestRun) return false;
  state.latestRun = message.run;
  const g = message.group;
  // A group stays shown until a result outside it arrives (renderShown checks the latest result's group).
  if (g && state.group?.id !== g.id) state.group = { id: g.id, size: g.size, results: [], errors: [] };
  switch (message.type) {
    case 'sectionRunning':
      state.running = message as Of<S, 'sectionRunning'>;
      state.error = undefined;
      break;
    case 'sectionResult':
      state.running = undefined;
      state.error = undefined;
      state.result = message as ResultOf<S>;
      if (g && state.group) state.group.results[g.index] = state.result;
      break;
    case 'sectionError':
      state.running = undefined;
      state.error = message as ErrorOf<S>;
      if (g && state.group) state.group.errors[g.index] = state.error;
      break;
  }
  if (message.type !== 'sectionError' && message.input >= 0 && message.input < state.inputs.length) state.selected = message.input;
  const s = saved.get();
  saved.update({
    runs: { ...s.runs, [state.section]: message.run },
    ...(message.type === 'sectionResult' ? { results: { ...s.results, [state.section]: message } } : {}),
  });
  return true;
}

/** Asks the host to run the section on inputs[input] (none for runs without an input). */
export function requestRun<S extends SectionId>(section: S, input: number | undefined, options: Sections[S]['options']): void {
  post({ type: 'sectionRun', section, ...(input === undefined ? {} : { input }), options } as Parameters<typeof post>[0]);
}

/** Asks the host to run each variant on inputs[input], as one group shown side by side. */
export function requestCompare<S extends SectionId>(section: S, input: number | undefined, variants: Sections[S]['options'][]): void {
  post({ type: 'sectionCompare', section, ...(input === undefined ? {} : { input }), variants } as Parameters<typeof post>[0]);
}

export function cancelRun(section: SectionId): void {
  post({ type: 'sectionCancel', section });
}

/** Tells the host the panel has drawn this run's result. */
export function rendered(section: SectionId, run: number): void {
  post({ type: 'sectionRendered', section, run });
}

/** The result the webview kept for this section across a reload, if any. */
export function savedResult<S extends SectionId>(section: S): ResultOf<S> | undefined {
  const r = saved.get().results?.[section];
  return r && r.type === 'sectionResult' && r.section === section ? (r as ResultOf<S>) : undefined;
}

// ---------------------------------------------------------------- status

function renderStatus<S extends SectionId>(state: SectionState<S>, view: SectionView<S>): HTMLElement | null {
  const r = state.running;
  if (r) {
    const p = r.progress;
    const place = r.group ? ` (${r.group.index + 1} of ${r.group.size})` : '';
    return h(
      'div',
      { class: 'explain-status running', 'data-testid': `${state.section}-running` },
      progressRing(),
      h('span', {}, `${view.runText(r)}${place}…`),
      p ? h('span', { class: 'muted', 'data-testid': `${state.section}-progress` }, p.message ? `${p.message} ${formatCount(p.done)} / ${formatCount(p.total)}` : `${formatCount(p.done)} / ${formatCount(p.total)}`) : null,
      p && p.total > 0 ? h('progress', { max: String(p.total), value: String(p.done), 'aria-label': 'progress' }) : null,
      button('Cancel', () => cancelRun(state.section), 'secondary', `${state.section}-cancel`),
    );
  }
  const e = state.error;
  return e ? failedStatus(state.section, view.runText(e), e) : null;
}

/** "`what` was cancelled.", or "`what` failed" with the error's message, code and Show log. */
export function failedStatus(testId: string, what: string, e: { code: string; message: string }): HTMLElement {
  if (e.code === 'CANCELLED') return h('div', { class: 'explain-status cancelled', 'data-testid': `${testId}-cancelled` }, `${what} was cancelled.`);
  return h(
    'div',
    { class: 'explain-status error', 'data-testid': `${testId}-error`, role: 'alert' },
    h('strong', {}, `${what} failed`),
    h('span', { class: 'message' }, e.message),
    h('span', { class: 'code' }, e.code),
    button('Show log', () => post({ type: 'showLog' })),
  );
}

/** One entry of a result's facts list (`<dl>`), with an optional muted note. */
export function fact(label: string, value: HTMLElement, note?: string): HTMLElement {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value, note ? h('span', { class: 'muted' }, ` · ${note}`) : null));
}

// ---------------------------------------------------------------- result

/** The result slot: kept results asked for, else the latest group side by side, else the latest result. */
function renderShown<S extends SectionId>(state: SectionState<S>, view: SectionView<S>): HTMLElement {
  const stale = state.running ? ' stale' : '';
  const recalled = state.recalled;
  if (recalled?.length) {
    const back = button('Back to latest', () => recall(state, view, []), 'secondary', `${state.section}-back-to-latest`);
    const when = (r: ResultOf<S>) => state.history.find((e) => e.run === r.run);
    if (recalled.length === 1) {
      const r = recalled[0];
      return h(
        'div',
        { class: 'recalled', 'data-testid': `${state.section}-recalled` },
        h('p', { class: 'recalled-banner' }, `Showing run #${r.run} from ${time(when(r)?.at)}, kept in the history.`, back),
        view.result(r),
      );
    }
    const grouped = recalled.every((r) => r.group && r.group.id === recalled[0].group?.id);
    const banner = grouped ? `Showing comparison #${recalled[0].run} from ${time(when(recalled[0])?.at)}.` : `Runs #${recalled[0].run} and #${recalled[1].run} side by side.`;
    return h(
      'div',
      { class: `recalled${stale}`, 'data-testid': `${state.section}-recalled` },
      h('p', { class: 'recalled-banner' }, banner, back),
      grouped ? comparison(view, recalled, state.section) : sideBySide(view, recalled, state.section, (r) => `#${r.run} · ${time(when(r)?.at)}`),
    );
  }
  const g = state.group;
  if (g && state.result?.group?.id === g.id) {
    const pending = Array.from({ length: g.size }, (_, i) => g.results[i] ?? g.errors[i]);
    const results = g.results.filter((r): r is ResultOf<S> => !!r);
    return h('div', { class: `group-result${stale}` }, comparison(view, results, state.section, pending));
  }
  if (state.result) return h('div', { class: `latest-result${stale}` }, view.result(state.result));
  return view.empty();
}

/** Two kept runs, each in full, side by side. */
function sideBySide<S extends SectionId>(view: SectionView<S>, results: ResultOf<S>[], section: S, subtitle: (r: ResultOf<S>) => string): HTMLElement {
  const cards = results.map((r) => ({ title: view.runText(r), subtitle: subtitle(r), body: view.result(r), testId: `${section}-card` }));
  return compareLayout({ title: 'Side by side', cards, layout: 'pair', testId: `${section}-compare` });
}

/** A run group's results as cards; `pending`: every place of the group (results, errors, or still running). */
function comparison<S extends SectionId>(view: SectionView<S>, results: ResultOf<S>[], section: S, pending?: (ResultOf<S> | ErrorOf<S> | undefined)[]): HTMLElement {
  const head = view.compare?.(results) ?? {};
  const places = pending ?? results;
  const oneInput = places.every((p) => !p || p.inputLabel === places.find((q) => q)?.inputLabel);
  const title = (p: SectionRun<S>) => (oneInput ? view.cardTitle(p) : view.runText(p));
  const cards = places.map((p, i) => {
    if (!p) return { title: `${i + 1} of ${places.length}`, body: h('div'), status: { kind: 'running' as const, text: 'waiting…' } };
    if (p.type === 'sectionError') return { title: title(p), body: h('div'), status: { kind: 'error' as const, text: p.message } };
    return { title: title(p), body: view.card(p, results), testId: `${section}-card` };
  });
  return compareLayout({ title: head.title ?? 'Side by side', cards, note: head.note, controls: head.controls, layout: head.layout, testId: `${section}-compare` });
}

// ---------------------------------------------------------------- history

/** Asks the host for kept runs (none: back to the latest result). */
function recall<S extends SectionId>(state: SectionState<S>, view: SectionView<S>, runs: number[]): void {
  if (runs.length) post({ type: 'sectionRecall', section: state.section, runs });
  else {
    state.recalled = undefined;
    saveRecalled(state);
    redraw(state, view, ['history', 'result']);
  }
}

function saveRecalled<S extends SectionId>(state: SectionState<S>): void {
  saved.update({ recalled: { ...saved.get().recalled, [state.section]: state.recalled?.map((r) => r.run) ?? [] } });
}

/** After a reload: show again the kept runs the panel showed, once the history says they are kept. */
function restoreRecalled<S extends SectionId>(state: SectionState<S>): void {
  const runs = saved.get().recalled?.[state.section] ?? [];
  if (state.recalled || !runs.length || !runs.every((r) => state.history.some((e) => e.run === r))) return;
  post({ type: 'sectionRecall', section: state.section, runs });
}

function time(at: number | undefined): string {
  return at === undefined ? '?' : new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A group in words: "Compare: Gradient, Integrated Gradients · target class 7" (the options all of them share). */
function groupText<S extends SectionId>(view: SectionView<S>, entries: HistoryEntry[]): string {
  const parts = [...entries].sort((a, b) => a.group!.index - b.group!.index).map((e) => view.entryParts(e));
  const shared = parts[0].slice(1).filter((p) => parts.every((q) => q.slice(1).includes(p)));
  return [`Compare: ${parts.map((p) => p[0]).join(', ')}`, ...shared].join(' · ');
}

/** The history list: one row per kept run (a group is one row), newest first; show one, or tick two and show them side by side. */
function renderHistory<S extends SectionId>(state: SectionState<S>, view: SectionView<S>): HTMLElement | null {
  if (!state.history.length) return null;
  // A group's runs are one row: "Compare: Gradient · Integrated Gradients · …".
  const rows: { group?: number; entries: HistoryEntry[] }[] = [];
  for (const e of state.history) {
    const row = e.group && rows.find((r) => r.group === e.group!.id);
    if (row) row.entries.push(e);
    else rows.push({ group: e.group?.id, entries: [e] });
  }
  const shown = new Set(state.recalled?.map((r) => r.run) ?? []);
  const id = state.section;
  const items = rows.map(({ entries }) => {
    const runs = entries.map((e) => e.run).sort((a, b) => a - b);
    const entry = entries[0];
    const text = entries.length > 1 ? groupText(view, entries) : view.entryParts(entry).join(' · ');
    const first = runs[0];
    const isShown = runs.every((r) => shown.has(r));
    const show = h('button', { class: 'history-entry', type: 'button', 'data-testid': `${id}-history-${first}`, title: 'Show this run again', 'aria-pressed': String(isShown) });
    show.append(h('span', { class: 'history-run' }, `#${first}`), h('span', { class: 'history-text' }, text), h('span', { class: 'muted' }, ` · ${entry.inputLabel} · ${time(entry.at)}`));
    show.addEventListener('click', () => recall(state, view, runs));
    const single = runs.length === 1;
    const tick = single
      ? checkbox('', state.ticked.includes(first), (checked) => {
          state.ticked = checked ? [...state.ticked.filter((r) => r !== first), first].slice(-2) : state.ticked.filter((r) => r !== first);
          redraw(state, view, ['history']);
        }, `${id}-history-tick-${first}`)
      : h('span', { class: 'history-tick-none' });
    tick.setAttribute('aria-label', `Select run ${first} to compare side by side`);
    return h('li', { class: isShown ? 'shown' : '' }, tick, show);
  });
  const sideBySide = button(`Show side by side${state.ticked.length ? ` (${state.ticked.length} of 2)` : ''}`, () => state.ticked.length === 2 && recall(state, view, [...state.ticked].sort((a, b) => a - b)), 'secondary', `${id}-history-compare`);
  if (state.ticked.length !== 2) sideBySide.setAttribute('disabled', '');
  const details = h(
    'details',
    { class: 'history', 'data-testid': `${id}-history`, ...(saved.get().historyOpen?.[id] === false ? {} : { open: '' }) },
    h('summary', {}, `History · ${state.history.length} kept ${state.history.length === 1 ? 'run' : 'runs'}`),
    h('ol', {}, ...items),
    h(
      'div',
      { class: 'actions' },
      sideBySide,
      state.recalled ? button('Back to latest', () => recall(state, view, []), 'secondary', `${id}-history-latest`) : null,
    ),
  );
  details.addEventListener('toggle', () => saved.update({ historyOpen: { ...saved.get().historyOpen, [id]: (details as HTMLDetailsElement).open } }));
  return details;
}
