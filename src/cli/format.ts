/** Plain-text renderings of engine results for the terminal. */
import type { HeadRef, ModelSummary, OutputSpec, Prediction, TensorSpec } from '../protocol/model';
import type { SaliencyResult } from '../protocol/saliency';
import type { InfluenceResult, InfluenceScore } from '../protocol/influence';
import type { ProbeResult, TcavResult } from '../protocol/concepts';
import { TOKEN_PARTS, type IclResult, type IclVariantResult, type SaliencyShares } from '../protocol/icl';
import type { CostSource, Counterfactual, CounterfactualResult, FeatureConstraintInfo } from '../protocol/counterfactual';

export function formatSummary(s: ModelSummary): string {
  const shape = (dims: (number | null)[]) => `[${dims.map((d) => d ?? '?').join(', ')}]`;
  const tensor = (t: TensorSpec) => `${t.name} ${shape(t.shape)} ${t.dtype}`;
  const rows = s.layers.map((l) => [l.name, l.className, l.outputShape.map(shape).join(' '), l.params.toLocaleString('en-US')]);
  const lines = [
    `${s.path}`,
    `format: ${s.format}   backend: ${s.backend}   params: ${s.params.toLocaleString('en-US')}   weights: ${(s.weightBytes / 1024).toFixed(1)} KiB`,
    ...s.inputs.map((t) => `input:  ${tensor(t)}`),
    ...s.outputs.map((t: OutputSpec, i) => `output: ${s.outputs.length > 1 ? `${i}: ` : ''}${tensor(t)}   ${t.kind} (${t.kindReason})`),
    `sidecar: ${s.sidecar.path ?? `none (inferred: ${s.sidecar.sidecar.input?.kind ?? 'unknown'} input)`}`,
    '',
    table([['layer', 'class', 'output shape', 'params'], ...rows]),
    ...s.sidecar.missing.map((m) => `missing: ${m}`),
    ...s.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.join('\n');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

/** "output 'age' (regression)   " where the model has several heads or the head is not a classifier. */
function headLine(head: HeadRef): string {
  return `output ${head.index} '${head.name}' (${head.kind})`;
}

export function formatPrediction(p: Prediction): string {
  const lines = [`${p.input.description}   (${headLine(p.output)}, ${p.outputKind}, ${p.backend}, ${p.ms.toFixed(1)} ms)`];
  p.rows.forEach((row, i) => {
    if (p.rows.length > 1) lines.push(`row ${i + 1}${row.trueLabel !== undefined ? ` (true: ${row.trueLabel})` : ''}`);
    if (row.values) {
      const shown = row.values.slice(0, 64).map((v) => num(v)).join(', ');
      lines.push(`  values: [${shown}${row.values.length > 64 ? `, … (${row.values.length})` : ''}]`);
    }
    const width = Math.max(...row.top.map((c) => c.label.length));
    for (const c of row.top) {
      lines.push(`  ${c.label.padEnd(width)}  ${(c.probability * 100).toFixed(1).padStart(5)}%  ${'█'.repeat(Math.round(c.probability * 30))}`);
    }
  });
  return lines.join('\n');
}

/** The saliency result for --json and result.json: everything but the input preview's pixels. */
export function saliencyJson(r: SaliencyResult, files?: { heatmap: string; result: string }): Record<string, unknown> {
  const { preview: _preview, ...input } = r.input;
  return {
    method: r.method,
    output: r.output,
    target: r.target,
    targetLabel: r.targetLabel,
    ...(r.targetProbability !== undefined ? { targetProbability: r.targetProbability } : {}),
    ...(r.targetValue !== undefined ? { targetValue: r.targetValue } : {}),
    prediction: r.prediction,
    attribution: r.attribution,
    ...(r.completenessDelta !== undefined ? { completenessDelta: r.completenessDelta } : {}),
    ...(r.warnings ? { warnings: r.warnings } : {}),
    ...(r.fx !== undefined ? { fx: r.fx, fBaseline: r.fBaseline } : {}),
    // The baseline's kind and values; its preview's pixels stay out, like the input's.
    ...(r.baseline ? { baseline: { kind: r.baseline.kind, ...(r.baseline.values ? { values: r.baseline.values } : {}) } } : {}),
    ...(r.layer !== undefined ? { layer: r.layer } : {}),
    ...(r.mapSize ? { mapSize: r.mapSize } : {}),
    ...(r.metrics ? { metrics: r.metrics } : {}),
    ...(r.metricsSkipped ? { metricsSkipped: r.metricsSkipped } : {}),
    summary: r.summary,
    options: r.options,
    input,
    backend: r.backend,
    ms: r.ms,
    ...(r.runsMs ? { runsMs: r.runsMs } : {}),
    ...(files ? { files } : {}),
  };
}

/** Four decimals, or three significant digits for what would print as 0.0000. */
function num(v: number): string {
  return Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2);
}

export function formatSaliency(r: SaliencyResult, files?: { heatmap: string; result: string }): string {
  const lines = [
    `${r.method}   ${r.input.description}   (${r.backend}, ${r.ms.toFixed(1)} ms)`,
    `output:   ${headLine(r.output)}`,
    r.targetProbability !== undefined
      ? `target:   ${r.targetLabel}${r.targetLabel !== String(r.target) ? ` (class ${r.target})` : ''}   p = ${(r.targetProbability * 100).toFixed(1)}%`
      : `target:   unit ${r.target}${r.targetLabel !== String(r.target) ? ` (${r.targetLabel})` : ''}   value = ${num(r.targetValue ?? NaN)}`,
    ...(r.prediction.length > 0 ? [`top:      ${r.prediction.map((c) => `${c.label} ${(c.probability * 100).toFixed(1)}%`).join(', ')}`] : []),
    `summary:  ${r.summary}`,
  ];
  if (r.layer !== undefined) lines.push(`layer:    ${r.layer}`);
  if (r.input.tokens && r.input.tokens.length === r.attribution.data.length) lines.push(...topTokens(r.input.tokens, r.attribution.data));
  if (r.fx !== undefined) lines.push(`F(x):     ${num(r.fx)}   F(baseline): ${num(r.fBaseline!)}   (${r.baseline?.kind ?? 'zeros'} baseline; IG explains their difference)`);
  if (r.completenessDelta !== undefined) lines.push(`completeness delta: ${num(r.completenessDelta)}   (Σ attribution − (F(x) − F(baseline)))`);
  for (const w of r.warnings ?? []) lines.push(`warning:  ${w}`);
  if (r.mapSize) lines.push(`map:      ${r.mapSize[0]}×${r.mapSize[1]} at the layer`);
  if (r.metricsSkipped) lines.push(`metrics:  not computed: ${r.metricsSkipped}`);
  const m = r.metrics;
  if (m) {
    lines.push(
      `deletion AUC:  ${num(m.deletionAuc)}   (random order ${num(m.randomDeletionAuc)}; lower is more faithful)`,
      `insertion AUC: ${num(m.insertionAuc)}   (random order ${num(m.randomInsertionAuc)}; higher is more faithful)`,
    );
    if (m.maxSensitivity !== undefined) lines.push(`max-sensitivity: ${num(m.maxSensitivity)}   (lower is steadier)`);
  }
  if (files) lines.push(`wrote:    ${files.heatmap}`, `          ${files.result}`);
  return lines.join('\n');
}

/** Text inputs: the tokens with the largest |attribution|, signed values, at most `n`. */
function topTokens(tokens: string[], values: number[], n = 8): string[] {
  const order = values.map((v, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  const shown = order.slice(0, Math.min(n, order.length)).filter((i) => values[i] !== 0);
  if (shown.length === 0) return [];
  const width = Math.max(...shown.map((i) => tokens[i].length + 2));
  return ['tokens:   (largest |attribution| first; position in brackets)', ...shown.map((i) => `  ${`'${tokens[i]}'`.padEnd(width)}  ${num(values[i]).padStart(10)}   [${i}]`)];
}

/** The influence result for --json: every score keeps its location; previews (image data URIs) only on request. */
export function influenceJson(r: InfluenceResult, previews: boolean): object {
  if (previews) return r;
  const test = r.test && (({ preview: _preview, ...rest }) => rest)(r.test);
  return { ...r, ...(test ? { test } : {}), scores: r.scores.map(({ preview: _preview, ...score }) => score) };
}

export function formatInfluence(r: InfluenceResult): string {
  const lines = [`${r.method}   ${r.test ? r.test.inputPath : 'self-influence of the training set'}   (${r.backend}, ${r.ms.toFixed(1)} ms)`];
  if (r.test) {
    const t = r.test;
    lines.push(
      `test:     ${t.labelName} (class ${t.label}${t.labelFromPrediction ? ', predicted' : ''})   loss ${num(t.loss)}`,
      `top:      ${t.prediction.map((c) => `${c.label} ${(c.probability * 100).toFixed(1)}%`).join(', ')}`,
    );
  }
  const s = r.paramScope;
  // The engine says why; how to choose others is the CLI's to say (the panel has a control).
  const hint = s.reason.startsWith('chosen') ? '' : '; choose others with --layers';
  lines.push(`scope:    ${s.layers.join(', ')} (${s.params.toLocaleString('en-US')} params): ${s.reason}${hint}`);
  if (r.solver) {
    const info = r.solverInfo ? `   (${r.solverInfo.iterations} iterations, residual ${num(r.solverInfo.residual)})` : '';
    lines.push(`solver:   ${r.solver}   damping ${r.damping === null ? 'none' : Number(r.damping.toPrecision(3))}${info}`);
    const e = r.estimate;
    if (e) lines.push(`expected: ${e.hvps} Hessian-vector products × ${e.hvpMs.toFixed(1)} ms ≈ ${e.seconds.toFixed(1)} s (said before the solve)`);
  }
  if (r.checkpoints) lines.push(`checkpoints: ${r.checkpoints.map((c) => `${c.path} (η ${c.learningRate})`).join(', ')}`);
  lines.push(`train:    ${r.trainPath}: ${r.trainSize} examples${r.cached ? ', gradients from the cache' : ''}`);
  for (const k of r.skipped) lines.push(`skipped:  ${k.id}: ${k.reason}`);
  for (const w of r.warnings) lines.push(`warning:  ${w}`);
  if (r.method === 'self') {
    lines.push('', 'suspects (highest self-influence first: likely mislabelled or atypical)', scoreTable(r.scores));
  } else {
    const opponents = r.scores.filter((x) => x.score < 0).reverse();
    lines.push('', 'proponents (removing one would raise the test loss)', scoreTable(r.scores.filter((x) => x.score > 0)));
    lines.push('', 'opponents (removing one would lower the test loss; strongest first)', scoreTable(opponents));
  }
  return lines.join('\n');
}

function scoreTable(scores: InfluenceScore[]): string {
  if (scores.length === 0) return '  none';
  return table([['  id', 'label', 'score'], ...scores.map((x) => [`  ${x.id}`, x.labelName, num(x.score)])]);
}

/** One line of progress for a terminal: the engine's message (like the editor's notification), and how far. */
export function formatProgress(done: number, total: number, message?: string): string {
  const percent = total > 0 ? ` ${Math.floor((100 * Math.min(done, total)) / total)}%` : '';
  return `${message ?? `${done}/${total}`}${percent}`;
}

/** A p-value as a table shows it: three significant digits, exponent form when small. */
function pValue(p: number): string {
  return p === 0 ? '0' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3);
}

export function formatTcav(r: TcavResult): string {
  const test = r.tests > 1 && r.alpha < r.options.alpha! ? `alpha ${r.options.alpha} / ${r.tests} tests (Bonferroni) = ${Number(r.alpha.toPrecision(3))}` : `alpha ${r.alpha}`;
  const inputs = `${r.classInputs.count} ${r.classInputs.filtered ? `examples of class ${r.classIndex}` : 'examples'} from ${r.classInputs.path}`;
  const lines = [
    `tcav   class ${r.class}${r.class !== String(r.classIndex) ? ` (${r.classIndex})` : ''}   S = ∂ logit / ∂ activations · CAV, counted S > 0   (${r.backend}, ${r.ms.toFixed(0)} ms${r.cached ? ', activations cached' : ''})`,
    `inputs:   ${inputs}`,
    `random:   ${r.randomSets.runs} sets of ${r.randomSets.size}${r.randomSets.kind === 'pool' ? ' drawn from the pool' : ''} ${r.randomSets.path}   ${test}`,
    '',
    table([
      ['concept', 'layer', 'score', 'std', 'magnitude', 'p-value', 'significant', 'CAV accuracy'],
      ...r.results.map((x) => [x.concept, x.layer, x.score.toFixed(3), x.std.toFixed(3), x.magnitude.toFixed(3), pValue(x.pValue), x.significant ? 'yes' : 'no', `${x.cavNearChance ? '(near chance) ' : ''}${x.cavAccuracy.toFixed(2)}`]),
      ...r.random.map((x) => ['(random)', x.layer, x.score.toFixed(3), x.std.toFixed(3), '', '', '', x.cavAccuracy.toFixed(2)]),
    ]),
    ...r.warnings.map((w) => `warning:  ${w}`),
  ];
  return lines.join('\n');
}

export function formatProbe(r: ProbeResult): string {
  const lines = [
    `probe   ${r.data.path}: ${r.data.examples} examples${r.data.examples < r.data.read ? ` of ${r.data.read}` : ''}, labels ${r.data.labels.join(', ')}   (${r.backend}, ${r.ms.toFixed(0)} ms)`,
    `held-out third; control: the same probe on permuted labels; majority guess ${r.majorityAccuracy.toFixed(3)}`,
    '',
    table([['layer', 'features', 'accuracy', 'control', 'selectivity'], ...r.layers.map((l) => [l.layer, String(l.features), l.accuracy.toFixed(3), l.controlAccuracy.toFixed(3), l.selectivity.toFixed(3)])]),
    ...r.warnings.map((w) => `warning:  ${w}`),
  ];
  return lines.join('\n');
}

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)}%`);

/** One line of saliency shares per part, in TOKEN_PARTS order. */
function sharesLine(shares: SaliencyShares, signed = false): string {
  return TOKEN_PARTS.filter((p) => shares[p] !== undefined)
    .map((p) => `${p} ${signed && (shares[p] as number) > 0 ? '+' : ''}${((shares[p] as number) * 100).toFixed(1)}${signed ? ' pts' : '%'}`)
    .join('   ');
}

export function formatIcl(r: IclResult): string {
  const lines = [
    `${r.provider}${r.model && !r.provider.endsWith(r.model) ? `   model ${r.model}` : ''}   (${r.requests > 0 ? `${r.requests} requests, ` : ''}${r.backend}, ${r.ms.toFixed(0)} ms)`,
  ];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const [name, v] of Object.entries(r.variants) as [string, IclVariantResult][]) {
    const labels = Object.keys(v.queries[0]?.probs ?? {});
    const rates = `accuracy ${percent(v.accuracy)}${v.flipFollowingRate !== null ? `   follows the flip ${percent(v.flipFollowingRate)}` : ''}`;
    lines.push('', `${name}   ${rates}`);
    if (v.saliencyShares) lines.push(`  saliency shares: ${sharesLine(v.saliencyShares)}`);
    const rows = v.queries.map((q) => [
      `  ${q.input.length > 48 ? `${q.input.slice(0, 47)}…` : q.input}`,
      q.label ?? '–',
      `${q.predicted ?? '–'}${q.correct === false ? ' ✗' : ''}`,
      ...labels.map((l) => (q.probs[l] === null ? `<${q.topKMin === null ? '?' : q.topKMin.toFixed(3)}` : (q.probs[l] as number).toFixed(3))),
    ]);
    lines.push(table([['  query', 'label', 'predicted', ...labels.map((l) => `p(${l})`)], ...rows]));
  }
  if (r.difference) lines.push('', `flipped − original saliency shares: ${sharesLine(r.difference.shares, true)}`);
  return lines.join('\n');
}
/** A counterfactual result for the terminal: tabular results as a table (original and each counterfactual), images and text as lists. */
export function formatCounterfactual(r: CounterfactualResult): string {
  const o = r.original;
  const lines = [
    `${r.method}   ${r.options.inputPath}${o.row !== undefined ? ` row ${o.row}` : ''}   (${r.backend}, ${r.ms.toFixed(1)} ms)`,
    `target:   ${r.targetLabel}${r.targetLabel !== String(r.target) ? ` (class ${r.target})` : ''}`,
    `original: ${o.label} ${percent(o.probability)} (${r.targetLabel} ${percent(o.targetProbability)})`,
    `method:   ${r.details}`,
  ];
  if (r.counterfactuals.length === 0) lines.push('', `reason:   ${r.reason}`);
  else if (r.constraints.kind === 'tabular') lines.push('', counterfactualTable(r));
  else lines.push('', ...r.counterfactuals.flatMap((c, n) => counterfactualLines(c, n)));
  if (r.diversity !== null) lines.push(`diversity: ${num(r.diversity)}   (mean pairwise cost)`);
  if (o.text !== undefined) lines.splice(3, 0, `text:     ${o.text}`);
  if (o.image !== undefined) lines.push(`original image: ${o.image}`);
  for (const w of r.warnings) lines.push(`warning:  ${w}`);
  return lines.join('\n');
}

/** Features as rows, the original and each counterfactual as columns; changed cells carry their delta. */
function counterfactualTable(r: CounterfactualResult): string {
  if (r.constraints.kind !== 'tabular') return '';
  const cfs = r.counterfactuals;
  const value = (v: number) => String(Number(v.toPrecision(6)));
  const rows = r.constraints.features.map((f) => {
    const from = r.original.values![f.feature];
    const cells = cfs.map((c) => {
      const to = c.values![f.feature];
      return to === from ? value(to) : `${value(to)} (${to > from ? '+' : ''}${value(to - from)})`;
    });
    return [f.feature, constraintLabel(f), value(from), ...cells];
  });
  const header = ['feature', 'constraint', 'original', ...cfs.map((_, n) => `#${n + 1}`)];
  const summary = [
    ['prediction', '', `${r.original.label} ${percent(r.original.probability)}`, ...cfs.map((c) => `${c.label} ${percent(c.probability)}`)],
    ['cost', '', '', ...cfs.map((c) => num(c.proximity))],
    ['changed', '', '', ...cfs.map((c) => String(c.sparsity))],
    ['plausibility', '', '', ...cfs.map((c) => (c.plausibility === null ? '—' : num(c.plausibility)))],
  ];
  const all = [header, ...rows, ...summary];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  return all.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

/** Where a cost came from, after its value. */
const COST_SOURCES: Record<CostSource, string> = { sidecar: '', request: '', mad: ' (1/MAD)', std: ' (1/std)', 'sidecar-std': ' (1/std)', unit: '' };

/** What a feature is under, in a few characters: immutable, a range, integer, a direction, its cost. */
function constraintLabel(f: FeatureConstraintInfo): string {
  const parts: string[] = [];
  if (f.immutable) parts.push('immutable');
  if (f.min !== null || f.max !== null) parts.push(`${f.min ?? ''}..${f.max ?? ''}`);
  if (f.integer && f.group === null) parts.push('integer');
  if (f.monotone) parts.push(f.monotone === 'increase' ? 'up only' : 'down only');
  if (!f.immutable) parts.push(`cost ${Number(f.cost.toPrecision(3))}${COST_SOURCES[f.costSource]}`);
  return parts.join(', ');
}

function counterfactualLines(c: Counterfactual, n: number): string[] {
  const lines = [`#${n + 1}  ${c.label} ${percent(c.probability)}   cost ${num(c.proximity)}   changed ${c.sparsity}${c.plausibility !== null ? `   plausibility ${num(c.plausibility)}` : ''}`];
  if (c.text !== undefined) lines.push(`    text:  ${c.text}`, ...(c.edits ?? []).map((e) => `    [${e.position}] '${e.from}' → '${e.to}'`));
  if (c.cells) lines.push(...c.cells.map((s) => `    cell (${s.query.row}, ${s.query.col}) ← distractor cell (${s.distractor.row}, ${s.distractor.col})`));
  if (c.distractor) lines.push(`    distractor: ${c.distractor.id} → ${c.distractor.image}`);
  if (c.image !== undefined) lines.push(`    image: ${c.image}`);
  return lines;
}
