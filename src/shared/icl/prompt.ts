/**
 * ICL prompts from a spec, exactly as the method defines them: every demonstration formatted with
 * the template, then the query formatted with the template cut just before {label} and its
 * trailing whitespace removed (`…\nlabel:`), so the label word's first token carries its leading
 * space. Variants change the demonstrations: `flipped` replaces each label with the next one in
 * `labels` (cyclically; only the first flipCount with a count), `neutral` uses each `neutral` text as
 * the input, `explained` appends explanationTemplate after each formatted demonstration. Every
 * character of the prompt belongs to one segment saying what it is (TokenPart) and which
 * demonstration, so tokens and words map back onto the spec.
 */
import { DEFAULT_EXPLANATION_TEMPLATE, type IclQuery, type IclShownDemonstration, type IclSpec, type IclVariant, type TokenPart } from '../../protocol/icl';

export interface PromptSegment {
  start: number;
  end: number;
  part: TokenPart;
  /** The demonstration this text formats; absent for the query's block. */
  demo?: number;
}

export interface BuiltPrompt {
  text: string;
  segments: PromptSegment[];
}

/** The label after `label` in `labels`, cyclically: what the flipped variant puts in its place. */
export function flipLabel(labels: readonly string[], label: string): string {
  return labels[(labels.indexOf(label) + 1) % labels.length];
}

/** The demonstrations as `variant` puts them in the prompt, and what it changed. */
export function variantDemonstrations(spec: IclSpec, variant: IclVariant, flipCount?: number): IclShownDemonstration[] {
  return spec.demonstrations.map((d, i): IclShownDemonstration => {
    switch (variant) {
      case 'original':
        return { input: d.input, label: d.label, changed: [] };
      case 'flipped':
        return i < (flipCount ?? spec.demonstrations.length) ? { input: d.input, label: flipLabel(spec.labels, d.label), changed: ['label'] } : { input: d.input, label: d.label, changed: [] };
      case 'neutral':
        return { input: d.neutral as string, label: d.label, changed: ['input'] };
      case 'explained':
        return { input: d.input, label: d.label, explanation: d.explanation as string, changed: ['explanation'] };
      default: {
        const unknown: never = variant;
        throw new Error(`unknown variant ${String(unknown)}`);
      }
    }
  });
}

/** Appends formatted text, one segment per placeholder value and per run of template text. */
class PromptWriter {
  text = '';
  readonly segments: PromptSegment[] = [];

  write(piece: string, part: TokenPart, demo?: number): void {
    if (piece.length === 0) return;
    const start = this.text.length;
    this.text += piece;
    this.segments.push({ start, end: this.text.length, part, ...(demo !== undefined ? { demo } : {}) });
  }

  /** `template` with each `{name}` replaced by values[name] (part parts[name]); other text is the template's. */
  format(template: string, values: Record<string, string>, parts: Record<string, TokenPart>, demo?: number): void {
    const names = Object.keys(values).join('|');
    let at = 0;
    for (const m of template.matchAll(new RegExp(`\\{(${names})\\}`, 'g'))) {
      this.write(template.slice(at, m.index), 'template', demo);
      this.write(values[m[1]], parts[m[1]], demo);
      at = m.index + m[0].length;
    }
    this.write(template.slice(at), 'template', demo);
  }

  /** Removes trailing whitespace, shortening or dropping the segments it covered. */
  trimEnd(): void {
    this.text = this.text.trimEnd();
    while (this.segments.length > 0 && this.segments[this.segments.length - 1].start >= this.text.length) this.segments.pop();
    const last = this.segments[this.segments.length - 1];
    if (last) last.end = Math.min(last.end, this.text.length);
  }
}

/** The prompt of `query` under `variant` (the spec checked by checkSpec and checkVariants). */
export function buildPrompt(spec: IclSpec, variant: IclVariant, query: IclQuery, flipCount?: number): BuiltPrompt {
  const writer = new PromptWriter();
  const explanationTemplate = spec.explanationTemplate ?? DEFAULT_EXPLANATION_TEMPLATE;
  variantDemonstrations(spec, variant, flipCount).forEach((d, i) => {
    writer.format(spec.template, { input: d.input, label: d.label }, { input: 'demo-input', label: 'demo-label' }, i);
    if (d.explanation !== undefined) writer.format(explanationTemplate, { explanation: d.explanation }, { explanation: 'demo-explanation' }, i);
  });
  writer.format(spec.template.slice(0, spec.template.indexOf('{label}')), { input: query.input }, { input: 'query' });
  writer.trimEnd();
  return { text: writer.text, segments: writer.segments };
}

/**
 * The segment a token at [start, end) of `text` belongs to: the one holding its first
 * non-whitespace character (a piece " great" is the input's, not the template's space), or its
 * first character when it is all whitespace.
 */
export function segmentAt(prompt: BuiltPrompt, start: number, end: number): PromptSegment {
  const lead = prompt.text.slice(start, end).search(/\S/);
  const at = start + Math.max(0, lead);
  const found = prompt.segments.find((s) => s.start <= at && at < s.end);
  if (!found) throw new Error(`no segment holds character ${at} of a ${prompt.text.length}-character prompt`);
  return found;
}

/** The prompt's whitespace-separated words with their spans (what endpoint occlusion deletes). */
export function promptWords(text: string): { text: string; start: number; end: number }[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length }));
}

/**
 * `text` without the word at [start, end): with the spaces or tabs before it, or where it starts
 * a line, the ones after it, so no line merges with another and no double space is left.
 */
export function withoutWord(text: string, start: number, end: number): string {
  let from = start;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  let to = end;
  if (from === start) while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
  return text.slice(0, from) + text.slice(to);
}
