/**
 * The latest concept scores per model and layer, kept by the host whenever a TCAV or probe run
 * completes (and when a reloaded panel restores its results), for layer hovers. Each layer keeps
 * the newest TCAV result that tested it (that run's class, the concepts' scores there and the
 * random baseline) and the newest probe of it. Nothing here computes anything.
 */
import * as path from 'path';
import type { ProbeLayer, ProbeResult, TcavRandomBaseline, TcavResult, TcavScore } from '../../protocol/concepts';

export interface LayerConceptScores {
  tcav?: {
    class: string;
    classIndex: number;
    scores: TcavScore[];
    baseline?: TcavRandomBaseline;
    alpha: number;
    runs: number;
    at: number;
  };
  probe?: { layer: ProbeLayer; data: string; labels: string[]; at: number };
}

const MAX_MODELS = 64;

export class ConceptScores {
  private readonly byModel = new Map<string, Map<string, LayerConceptScores>>();

  putTcav(modelPath: string, r: TcavResult, at = Date.now()): void {
    const layers = this.model(modelPath);
    for (const baseline of r.random) {
      const entry = layers.get(baseline.layer) ?? {};
      if (entry.tcav && entry.tcav.at > at) continue;
      entry.tcav = { class: r.class, classIndex: r.classIndex, scores: r.results.filter((s) => s.layer === baseline.layer), baseline, alpha: r.alpha, runs: r.randomSets.runs, at };
      layers.set(baseline.layer, entry);
    }
  }

  putProbe(modelPath: string, r: ProbeResult, at = Date.now()): void {
    const layers = this.model(modelPath);
    for (const layer of r.layers) {
      const entry = layers.get(layer.layer) ?? {};
      if (entry.probe && entry.probe.at > at) continue;
      entry.probe = { layer, data: r.data.path, labels: r.data.labels, at };
      layers.set(layer.layer, entry);
    }
  }

  /** What is known of `layer` of `modelPath`, if anything. */
  get(modelPath: string, layer: string): LayerConceptScores | undefined {
    return this.byModel.get(key(modelPath))?.get(layer);
  }

  private model(modelPath: string): Map<string, LayerConceptScores> {
    const k = key(modelPath);
    const layers = this.byModel.get(k) ?? new Map<string, LayerConceptScores>();
    // The most recently used model last; the oldest goes first when there are too many.
    this.byModel.delete(k);
    this.byModel.set(k, layers);
    while (this.byModel.size > MAX_MODELS) this.byModel.delete(this.byModel.keys().next().value as string);
    return layers;
  }
}

function key(p: string): string {
  const resolved = path.resolve(p);
  return process.platform === 'win32' ? resolved.toLowerCase() : resolved;
}
