/**
 * One prompt as the model read it: its text with every token shaded by its saliency (on a scale the
 * variants of a query share: red raises the predicted label, blue lowers it, fading into the page as
 * the saliency goes to 0, so unimportant tokens stay plain text in any theme), what the variant
 * changed outlined (a flipped label, the words of a neutralised input that differ from the
 * original, an added explanation), the template's text muted, and each demonstration a focusable
 * span: hovering or focusing it reports its index, so the panel can show that demonstration's
 * contribution in every variant (until another is pointed at: the contribution strip above the
 * prompts grows when it fills, and clearing it on leave would move the prompts under the pointer).
 */
import type { IclQueryResult, IclShownDemonstration, IclToken } from '../../../../src/protocol/icl';
import { tokenShade, type TokenShading } from '../../../../src/shared/heatmap/tokenShade';
import { formatNumber, h } from '../../dom';

export type PromptShading = TokenShading;

const PART_NAMES: Record<IclToken['part'], string> = {
  'demo-input': 'demonstration input',
  'demo-label': 'demonstration label',
  'demo-explanation': 'explanation',
  query: 'query',
  template: 'template',
};

const words = (text: string) => new Set(text.toLowerCase().split(/\s+/).filter(Boolean));

/**
 * Whether the variant changed this token's text: its demonstration's flipped label, an added
 * explanation, or a word of a neutralised input that the original input does not have (every word
 * of it when the original is not known).
 */
function changed(token: IclToken, core: string, demos: IclShownDemonstration[], originals: IclShownDemonstration[] | undefined): boolean {
  const d = token.demo === undefined ? undefined : demos[token.demo];
  if (!d) return false;
  if (token.part === 'demo-input' && d.changed.includes('input')) {
    const before = originals?.[token.demo!]?.input;
    return before === undefined || !words(before).has(core.toLowerCase());
  }
  return (token.part === 'demo-label' && d.changed.includes('label')) || token.part === 'demo-explanation';
}

/** A token: its surrounding whitespace as text, the rest as a span on its saliency's colour (none without saliency). */
function tokenNodes(token: IclToken, text: string, demos: IclShownDemonstration[], originals: IclShownDemonstration[] | undefined, shading: PromptShading): (Node | string)[] {
  const [, lead, core, trail] = /^(\s*)([\s\S]*?)(\s*)$/.exec(text) ?? ['', '', text, ''];
  if (!core) return [text];
  const classes = ['token', `part-${token.part}`, ...(changed(token, core, demos, originals) ? ['changed'] : [])];
  const attrs: Record<string, string> = { class: classes.join(' '), 'data-part': token.part, title: `${PART_NAMES[token.part]}${token.saliency === null ? '' : ` · saliency ${formatNumber(token.saliency)}`}` };
  if (token.saliency !== null) {
    attrs['data-saliency'] = String(token.saliency);
    const shade = tokenShade(token.saliency, shading);
    if (shade) {
      attrs.class += ' shaded';
      attrs.style = `background: rgb(${shade.background.join(',')}); color: rgb(${shade.color.join(',')})`;
    }
  }
  return [lead, h('span', attrs, core), trail].filter((n) => n !== '');
}

/**
 * The prompt of one query under one variant (`originals`: the original variant's demonstrations, to
 * outline only the words a neutral input changed); `onDemo(i)` when demonstration i is hovered or
 * focused.
 */
export function renderPrompt(q: IclQueryResult, demos: IclShownDemonstration[], originals: IclShownDemonstration[] | undefined, shading: PromptShading, onDemo: (demo: number) => void): HTMLElement {
  const pre = h('pre', { class: 'icl-prompt', 'data-testid': 'icl-prompt' });
  const demoElement = (demo: number): HTMLElement => {
    const d = demos[demo];
    const el = h('span', { class: 'icl-demo', 'data-demo': String(demo), tabindex: '0', 'aria-label': `demonstration ${demo + 1}${d ? `: ${d.label}` : ''}` });
    el.addEventListener('mouseenter', () => onDemo(demo));
    el.addEventListener('focus', () => onDemo(demo));
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
    (current?.el ?? pre).append(...tokenNodes(token, q.prompt.slice(token.start, token.end), demos, originals, shading));
    at = token.end;
  }
  pre.append(q.prompt.slice(at));
  return pre;
}
