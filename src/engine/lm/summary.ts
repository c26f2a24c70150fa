/**
 * What the comparison reports beyond each prompt's probabilities, all from plain numbers: each
 * prompt's tokens with their part and demonstration, saliency shares per part, each
 * demonstration's contribution, per-variant accuracy and flip-following, and the token-wise
 * difference between the original and the flipped prompts (tokens aligned by the prompt segment
 * they fall in and their order there: the two prompts differ only in label words).
 */
import type { IclFlipDifference, IclQueryResult, IclToken, IclTokenDifference, IclVariantResult, SaliencyShares, TokenPart } from '../../protocol/icl';
import { segmentAt, type BuiltPrompt } from '../../shared/icl/prompt';
import type { PromptToken } from './provider';

/** A token with its saliency, and the index of the prompt segment it falls in (for alignment). */
export interface PlacedToken extends IclToken {
  segment: number;
}

export function placeTokens(prompt: BuiltPrompt, tokens: readonly PromptToken[], saliency: readonly number[] | null): PlacedToken[] {
  return tokens.map((t, i) => {
    const segment = segmentAt(prompt, t.start, t.end);
    return {
      text: t.text,
      start: t.start,
      end: t.end,
      part: segment.part,
      ...(segment.demo !== undefined ? { demo: segment.demo } : {}),
      saliency: saliency ? saliency[i] : null,
      segment: prompt.segments.indexOf(segment),
    };
  });
}

/** The token as the result shows it (without the alignment index). */
export function publicToken({ segment: _segment, ...token }: PlacedToken): IclToken {
  return token;
}

/** Shares of Σ|saliency| per part of one prompt; null without saliency or when every value is 0. */
export function saliencyShares(tokens: readonly IclToken[]): SaliencyShares | null {
  const total = tokens.reduce((sum, t) => sum + Math.abs(t.saliency ?? 0), 0);
  if (tokens.some((t) => t.saliency === null) || !(total > 0)) return null;
  const shares: SaliencyShares = {};
  for (const t of tokens) shares[t.part] = (shares[t.part] ?? 0) + Math.abs(t.saliency as number) / total;
  return shares;
}

/** The mean of per-query shares (each query weighs the same, whatever its saliency's scale). */
export function meanShares(all: readonly (SaliencyShares | null)[]): SaliencyShares | null {
  const known = all.filter((s): s is SaliencyShares => s !== null);
  if (known.length === 0) return null;
  const out: SaliencyShares = {};
  for (const shares of known) for (const [part, v] of Object.entries(shares) as [TokenPart, number][]) out[part] = (out[part] ?? 0) + v / known.length;
  return out;
}

/** Σ saliency of each demonstration's tokens (its formatted block), by demonstration index. */
export function demoContributions(tokens: readonly IclToken[], demonstrations: number): number[] | null {
  if (tokens.some((t) => t.saliency === null)) return null;
  const out = new Array<number>(demonstrations).fill(0);
  for (const t of tokens) if (t.demo !== undefined) out[t.demo] += t.saliency as number;
  return out;
}

/** Accuracy over the queries with a true label, and (flipped) the share that follows the flip. */
export function variantRates(queries: readonly IclQueryResult[], flipped: boolean): Pick<IclVariantResult, 'accuracy' | 'flipFollowingRate'> {
  const labelled = queries.filter((q) => q.correct !== null);
  const rate = (n: number) => (labelled.length > 0 ? n / labelled.length : null);
  return {
    accuracy: rate(labelled.filter((q) => q.correct).length),
    flipFollowingRate: flipped ? rate(labelled.filter((q) => q.followsFlip).length) : null,
  };
}

/** The original and flipped tokens of one query, aligned by segment and order within it. */
export function alignTokens(original: readonly PlacedToken[], flipped: readonly PlacedToken[]): IclTokenDifference[] {
  const bySegment = (tokens: readonly PlacedToken[]) => {
    const groups = new Map<number, PlacedToken[]>();
    for (const t of tokens) groups.set(t.segment, [...(groups.get(t.segment) ?? []), t]);
    return groups;
  };
  const a = bySegment(original);
  const b = bySegment(flipped);
  const segments = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const side = (t: PlacedToken | undefined) => (t ? { text: t.text, start: t.start, end: t.end, saliency: t.saliency ?? 0 } : null);
  return segments.flatMap((segment) => {
    const left = a.get(segment) ?? [];
    const right = b.get(segment) ?? [];
    return Array.from({ length: Math.max(left.length, right.length) }, (_, i): IclTokenDifference => {
      const o = left[i];
      const f = right[i];
      const any = (o ?? f) as PlacedToken;
      return {
        original: side(o),
        flipped: side(f),
        part: any.part,
        ...(any.demo !== undefined ? { demo: any.demo } : {}),
        difference: (f?.saliency ?? 0) - (o?.saliency ?? 0),
      };
    });
  });
}

/** Flipped − original shares, and each query's aligned tokens; null unless both variants have saliency. */
export function flipDifference(
  original: IclVariantResult | undefined,
  flipped: IclVariantResult | undefined,
  placed: { original: PlacedToken[][]; flipped: PlacedToken[][] },
): IclFlipDifference | null {
  if (!original?.saliencyShares || !flipped?.saliencyShares) return null;
  const parts = new Set([...Object.keys(original.saliencyShares), ...Object.keys(flipped.saliencyShares)]) as Set<TokenPart>;
  const shares: SaliencyShares = {};
  for (const part of parts) shares[part] = (flipped.saliencyShares[part] ?? 0) - (original.saliencyShares[part] ?? 0);
  return {
    shares,
    queries: original.queries.map((q, i) => ({ input: q.input, tokens: alignTokens(placed.original[i], placed.flipped[i]) })),
  };
}
