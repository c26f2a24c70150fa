/**
 * Label probabilities from a server's top-k first tokens. A label's probability sums the returned
 * tokens equal to the label word after trimming whitespace, case-insensitively (" positive",
 * "positive" and " Positive" are one label); the labels are then renormalised over the ones found
 * (`probs`), with the raw mass they covered (`coverage`). A label with no token among the top k is
 * reported in belowTopK: its probability is at most the smallest returned, never invented.
 */
import type { LabelDistribution } from './provider';

export interface TopToken {
  token: string;
  logprob: number;
}

const key = (s: string) => s.trim().toLowerCase();

export function labelDistribution(top: readonly TopToken[], labels: readonly string[]): LabelDistribution {
  const raw = new Map<string, number>();
  for (const { token, logprob } of top) {
    const label = labels.find((l) => key(l) === key(token));
    if (label !== undefined) raw.set(label, (raw.get(label) ?? 0) + Math.exp(logprob));
  }
  const coverage = [...raw.values()].reduce((a, b) => a + b, 0);
  const probs = Object.fromEntries(labels.map((l) => [l, raw.has(l) && coverage > 0 ? (raw.get(l) as number) / coverage : null]));
  const topKMin = top.length > 0 ? Math.min(...top.map((t) => Math.exp(t.logprob))) : null;
  return { probs, coverage, belowTopK: labels.filter((l) => !raw.has(l)), topKMin };
}
