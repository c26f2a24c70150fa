/**
 * A layer hover's Markdown for one model: the layer's class, output shape and parameters, its
 * latest TCAV scores (class, each concept's score ± std over runs, p-value and significance, CAV
 * accuracy flagged near chance, the random baseline; S is the derivative of the class logit) and
 * its latest linear probe. Pure (no vscode), so its wording is unit-tested.
 */
import { formatP } from '../../shared/concepts';
import { escapeMarkdown as escape, inlineCode as code } from '../../shared/markdown';
import type { LayerConceptScores } from './conceptScores';
import type { LayerMatch } from './layerIndex';

export interface LayerHoverSection {
  match: LayerMatch;
  /** The model's path as the hover names it (relative to the workspace). */
  modelLabel: string;
  scores?: LayerConceptScores;
  /** The probe data's path as the hover names it. */
  probeLabel?: string;
  /** The command link (already encoded) that tests concepts at this layer. */
  testLink: string;
}

export function layerHoverMarkdown(section: LayerHoverSection, now = Date.now()): string {
  const { match, scores } = section;
  const l = match.layer;
  const head = [`**Model Lens** · layer ${code(l.name)}`, escape(l.className)];
  if (l.outputShape?.length) head.push(`output ${escape(l.outputShape.map((s) => `[${s.map((d) => d ?? '?').join(', ')}]`).join(' '))}`);
  if (l.params !== undefined) head.push(`${l.params.toLocaleString('en-US')} parameters`);
  const lines = [head.join(' · '), `model ${code(section.modelLabel)}${match.loaded ? '' : " · open it in Model Lens to see the layer's output shape"}`];
  const tcav = scores?.tcav;
  if (tcav) {
    lines.push(
      `TCAV for class **${escape(tcav.class)}** · ${tcav.runs} runs · ${ago(tcav.at, now)} · S: the derivative of the class logit along each concept, counted S > 0`,
      ['| concept | score ± std | p | |', '|:-|-:|-:|:-|', ...tcav.scores.map(scoreRow), ...(tcav.baseline ? [`| *random* | ${pm(tcav.baseline.score, tcav.baseline.std)} | | baseline |`] : [])].join('\n'),
    );
  }
  const probe = scores?.probe;
  if (probe) {
    const p = probe.layer;
    const on = section.probeLabel ? ` on ${code(section.probeLabel)}` : '';
    lines.push(`Linear probe${on} (${escape(probe.labels.join(', '))}): accuracy ${p.accuracy.toFixed(3)} · control ${p.controlAccuracy.toFixed(3)} · selectivity ${p.selectivity.toFixed(3)} · ${ago(probe.at, now)}`);
  }
  if (!tcav && !probe) lines.push('No concept scores for this layer yet.');
  lines.push(`[$(beaker) Test concepts at ${escape(l.name)}](${section.testLink} "Choose a class, then run TCAV at this layer with the concepts the model offers")`);
  return lines.join('\n\n');
}

function scoreRow(s: NonNullable<LayerConceptScores['tcav']>['scores'][number]): string {
  const verdict = s.significant ? '**significant**' : 'not significant';
  const cav = s.cavNearChance ? ` · CAV near chance (${s.cavAccuracy.toFixed(2)})` : ` · CAV ${s.cavAccuracy.toFixed(2)}`;
  return `| ${escape(s.concept)} | ${pm(s.score, s.std)} | ${formatP(s.pValue)} | ${verdict}${cav} |`;
}

const pm = (v: number, std: number) => `${v.toFixed(2)} ± ${std.toFixed(2)}`;

function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
