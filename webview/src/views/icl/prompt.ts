/**
 * One prompt as the model read it: its text with every token shaded by its saliency (blue-white-red
 * on a scale the variants of a query share), what the variant changed outlined (a flipped label, a
 * neutralised input, an added explanation), the template's text muted, and each demonstration a
 * focusable span: hovering or focusing it reports its index, so the panel can show that
 * demonstration's contribution in every variant.
 */
import type { IclQueryResult, IclShownDemonstration, IclToken } from '../../../../src/protocol/icl';
import { textColorOn } from '../../../../src/shared/contrast';
import { colorAt } from '../../../../src/shared/heatmap';
import { formatNumber, h } from '../../dom';

const PART_NAMES: Record<IclToken['part'], string> = {
  'demo-input': 'demonstration input',
  'demo-label': 'demonstration label',
  'demo-explanation': 'explanation',
  query: 'query',
  template: 'template',
};

/** Whether the variant changed this token's text (its demonstration's label, input or explanation). */
function changed(token: IclToken, demos: IclShownDemonstration[]): boolean {
  const d = token.demo === undefined ? undefined : demos[token.demo];
  if (!d) return false;
  return (token.part === 'demo-label' && d.changed.includes('label')) || (token.part === 'demo-input' && d.changed.includes('input')) || token.part === 'demo-explanation';
}

/** A token: its surrounding whitespace as text, the rest as a span on its saliency's colour (none without saliency). */
function tokenNodes(token: IclToken, text: string, demos: IclShownDemonstration[], scale: number): (Node | string)[] {
  const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? ['', '', text, ''];
  if (!core) return [text];
  const classes = ['token', `part-${token.part}`, ...(changed(token, demos) ? ['changed'] : [])];
  const attrs: Record<string, string> = { class: classes.join(' '), 'data-part': token.part, title: `${PART_NAMES[token.part]}${token.saliency === null ? '' : ` · saliency ${formatNumber(token.saliency)}`}` };
  if (token.saliency !== null && scale > 0) {
    const t = Math.max(-1, Math.min(1, token.saliency / scale));
    const bg = colorAt('blue-white-red', (t + 1) / 2);
    attrs.style = `background: rgb(${bg.join(',')}); color: rgb(${textColorOn(bg).join(',')})`;
    attrs['data-saliency'] = String(token.saliency);
  }
  return [lead, h('span', attrs, core), trail].filter((n) => n !== '');
}

/** The prompt of one query under one variant; `onDemo(i)` when demonstration i is hovered or focused (null: left). */
export function renderPrompt(q: IclQueryResult, demos: IclShownDemonstration[], scale: number, onDemo: (demo: number | null) => void): HTMLElement {
  const pre = h('pre', { class: 'icl-prompt', 'data-testid': 'icl-prompt' });
  const demoElement = (demo: number): HTMLElement => {
    const d = demos[demo];
    const el = h('span', { class: 'icl-demo', 'data-demo': String(demo), tabindex: '0', 'aria-label': `demonstration ${demo + 1}${d ? `: ${d.label}` : ''}` });
    el.addEventListener('mouseenter', () => onDemo(demo));
    el.addEventListener('focus', () => onDemo(demo));
    el.addEventListener('mouseleave', () => onDemo(null));
    el.addEventListener('blur', () => onDemo(null));
    return el;
  };
  // Text between tokens stays inside a demonstration's span when the tokens on both sides are its own.
  let current: { demo: number; el: HTMLElement } | null = null;
  let at = 0;
  for (const token of [...q.tokens].sort((a, b) => a.start - b.start)) {
    if (token.start < at) continue; // overlapping pieces: the first one covers them
    const gap = q.prompt.slice(at, token.start);
    if (current && token.demo === current.demo) current.el.append(gap);
    else {
      pre.append(gap);
      current = token.demo === undefined ? null : { demo: token.demo, el: demoElement(token.demo) };
      if (current) pre.append(current.el);
    }
    (current?.el ?? pre).append(...tokenNodes(token, q.prompt.slice(token.start, token.end), demos, scale));
    at = token.end;
  }
  pre.append(q.prompt.slice(at));
  return pre;
}
