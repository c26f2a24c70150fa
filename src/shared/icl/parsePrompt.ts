/**
 * A prompt selected in the editor, back into a spec: the inverse of buildPrompt for a known
 * template. The text is read as a run of formatted demonstrations (each optionally followed by
 * its formatted explanation), then the query formatted with the template cut before {label}. A
 * selection that ends with a complete demonstration makes that one the query, with its label as
 * the true label. Pure: no files, no model.
 */
import { DEFAULT_EXPLANATION_TEMPLATE, type IclDemonstration, type IclQuery, type IclSpec } from '../../protocol/icl';
import { SpecError, checkSpec } from './spec';

export interface ParsePromptOptions {
  /** The label words in order; default: the demonstrations' labels in order of first appearance. */
  labels?: string[];
  /** Parse explanation lines after demonstrations too (default: none are expected). */
  explanationTemplate?: string;
}

/** The prompt parsed, but its demonstrations show fewer than two labels: the caller must name them. */
export class LabelsNeeded extends SpecError {
  constructor(
    message: string,
    /** The labels the prompt shows. */
    readonly seen: string[],
  ) {
    super(message);
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The template as a regular expression: literal text escaped, the first {name} a named group, any
 * repeat a back-reference. A value runs lazily to the literal after it; a label at the template's
 * very end is one run of non-space characters.
 */
function templatePattern(template: string, groups: Record<string, string>): string {
  const seen = new Set<string>();
  let out = '';
  let at = 0;
  const names = Object.keys(groups).join('|');
  const matches = [...template.matchAll(new RegExp(`\\{(${names})\\}`, 'g'))];
  matches.forEach((m, i) => {
    out += escape(template.slice(at, m.index));
    const name = m[1];
    const last = i === matches.length - 1 && m.index + m[0].length === template.length;
    out += seen.has(name) ? `\\k<${name}>` : `(?<${name}>${last ? '\\S+' : groups[name]})`;
    seen.add(name);
    at = m.index + m[0].length;
  });
  return out + escape(template.slice(at));
}

/** The spec whose prompt (under the original variant) is `text`, formatted with `template`. Throws SpecError. */
export function parsePrompt(text: string, template: string, options: ParsePromptOptions = {}): IclSpec {
  if (!/\{input\}[\s\S]*\{label\}/.test(template)) throw new SpecError('The template must contain {input} and, after it, {label}.');
  const demo = new RegExp(templatePattern(template, { input: '[\\s\\S]+?', label: '[^\\n]+?' }), 'y');
  const explanation = options.explanationTemplate ? new RegExp(templatePattern(options.explanationTemplate, { explanation: '[^\\n]+?' }), 'y') : null;
  const cut = template.slice(0, template.indexOf('{label}')).trimEnd();
  const query = new RegExp(`${templatePattern(cut, { input: '[\\s\\S]+?' })}\\s*$`, 'y');

  const source = text.trimStart();
  const demonstrations: IclDemonstration[] = [];
  let at = 0;
  for (;;) {
    demo.lastIndex = at;
    const m = demo.exec(source);
    if (!m || m[0].length === 0) break;
    const d: IclDemonstration = { input: m.groups!.input, label: m.groups!.label.trim() };
    at = demo.lastIndex;
    if (explanation) {
      explanation.lastIndex = at;
      const e = explanation.exec(source);
      if (e) {
        d.explanation = e.groups!.explanation;
        at = explanation.lastIndex;
      }
    }
    demonstrations.push(d);
  }
  query.lastIndex = at;
  const q = query.exec(source);
  let queries: IclQuery[];
  if (q) queries = [{ input: q.groups!.input }];
  else if (source.slice(at).trim() === '' && demonstrations.length >= 2) {
    const last = demonstrations.pop() as IclDemonstration;
    queries = [{ input: last.input, label: last.label }];
  } else {
    const where = at === 0 ? 'does not start with a demonstration' : `stops following the template after ${demonstrations.length} demonstration${demonstrations.length === 1 ? '' : 's'}`;
    throw new SpecError(`The selected text ${where} formatted as ${JSON.stringify(template)}.`);
  }
  if (demonstrations.length === 0) throw new SpecError('The selected text has a query but no demonstrations before it.');
  const labels = options.labels ?? [...new Set([...demonstrations.map((d) => d.label), ...queries.flatMap((x) => (x.label ? [x.label] : []))])];
  if (labels.length < 2) throw new LabelsNeeded(`The selected prompt uses only the label '${labels[0]}': name the labels.`, labels);
  return checkSpec(
    { template, ...(options.explanationTemplate && options.explanationTemplate !== DEFAULT_EXPLANATION_TEMPLATE ? { explanationTemplate: options.explanationTemplate } : {}), labels, demonstrations, queries },
    'The selected prompt',
  );
}
