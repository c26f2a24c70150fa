/**
 * Results side by side: a grid of cards with one header (what is compared, a note on how to read
 * it, shared controls), used for a section's run groups (Compare methods; influence functions
 * beside TracIn), for two kept runs from its history, and by every section that compares variants
 * (ICL prompts, counterfactual candidates). Cards keep their own width: `grid` fits as many
 * ~240px cards per row as the panel holds; `pair` puts two halves side by side (one column when
 * the panel is narrow). Content that is wider than a card scrolls inside it, never over the next.
 */
import { h } from '../dom';

export interface CompareCard {
  title: string;
  subtitle?: string;
  body: HTMLElement;
  /** A failed or pending cell: its text instead of a body. */
  status?: { kind: 'running' | 'error'; text: string };
  testId?: string;
}

export interface CompareLayout {
  title: string;
  cards: CompareCard[];
  /** 'grid': many small cards (heatmaps); 'pair': two wide halves (galleries). Default: pair for two cards. */
  layout?: 'grid' | 'pair';
  /** How to read the comparison, e.g. why two methods can disagree. */
  note?: HTMLElement | string | null;
  /** Controls that apply to every card (a shared colour scale). */
  controls?: HTMLElement | null;
  testId?: string;
}

export function compareLayout(spec: CompareLayout): HTMLElement {
  const layout = spec.layout ?? (spec.cards.length === 2 ? 'pair' : 'grid');
  return h(
    'section',
    { class: `compare compare-${layout}`, ...(spec.testId ? { 'data-testid': spec.testId } : {}) },
    h('header', { class: 'compare-header' }, h('h3', {}, spec.title), spec.controls ?? null),
    spec.note ? h('div', { class: 'compare-note', 'data-testid': 'compare-note' }, spec.note) : null,
    h(
      'div',
      { class: 'compare-cards' },
      ...spec.cards.map((card) =>
        h(
          'article',
          { class: `compare-card${card.status ? ` ${card.status.kind}` : ''}`, ...(card.testId ? { 'data-testid': card.testId } : {}) },
          h('h4', {}, card.title, card.subtitle ? h('span', { class: 'muted' }, ` · ${card.subtitle}`) : null),
          card.status ? h('p', { class: 'compare-status' }, card.status.text) : card.body,
        ),
      ),
    ),
  );
}
