/**
 * What the panel's concept charts and the layer hovers read from TCAV and probe results: a TCAV
 * result as a grid of concept × layer (scores, their spread over runs, significance) beside each
 * layer's random baseline, and p-values in words.
 */
import type { TcavResult, TcavScore } from '../protocol/concepts';
import type { LayerSummary, ModelSummary } from '../protocol/model';

/** The layers TCAV can read concepts at: every layer but the model's outputs (it differentiates the logit there). */
export function conceptLayers(summary: ModelSummary | undefined): LayerSummary[] {
  const outputs = new Set((summary?.outputs ?? []).map((o) => o.name.replace(/:\d+$/, '')));
  return (summary?.layers ?? []).filter((l) => !outputs.has(l.name));
}

/** The layers offered first: the last two with weights before the output (a late convolution and the last hidden layer, in a small CNN). */
export function defaultConceptLayers(summary: ModelSummary | undefined): string[] {
  const candidates = conceptLayers(summary);
  const weighted = candidates.filter((l) => l.params > 0);
  return (weighted.length ? weighted : candidates).slice(-2).map((l) => l.name);
}

export interface TcavGrid {
  /** The layers, in the order asked (the chart's categories). */
  layers: string[];
  /** One row per concept, in the order asked: its score at each layer (undefined where it was not tested). */
  concepts: { name: string; cells: (TcavScore | undefined)[] }[];
  /** The random baseline at each layer: the mean and std over runs of random-vs-random CAVs' scores. */
  baseline: { score: number; std: number }[];
}

export function tcavGrid(r: TcavResult): TcavGrid {
  const layers = r.random.map((b) => b.layer);
  const names = [...new Set(r.results.map((s) => s.concept))];
  return {
    layers,
    concepts: names.map((name) => ({ name, cells: layers.map((layer) => r.results.find((s) => s.concept === name && s.layer === layer)) })),
    baseline: r.random.map((b) => ({ score: b.score, std: b.std })),
  };
}

/**
 * A p-value in 3 significant digits ("0.0123", "1"; below 0.001 in exponent form, "3.1e-4"),
 * truncated rather than rounded, so a p-value shown next to α compares with it as the test did
 * (0.04999 is "0.0499", never "0.05").
 */
export function formatP(p: number): string {
  if (!Number.isFinite(p) || p <= 0) return String(p);
  const exponent = Math.floor(Math.log10(p));
  const small = p < 1e-3;
  const digits = small ? 1 : 2 - exponent;
  // A hair above 1 absorbs binary fractions just below a decimal one (0.1 + 0.2).
  const truncated = Math.floor((small ? p / 10 ** exponent : p) * 10 ** digits * (1 + 1e-12)) / 10 ** digits;
  return small ? `${truncated}e${exponent}` : String(truncated);
}
