/**
 * The synthetic few-shot sentiment task the tiny decoder learns in context: short reviews made of
 * neutral filler words and one or two words of clear valence, in episodes of demonstrations
 * formatted exactly as an ICL prompt spec formats them (`Review: …\nlabel: …\n`). In a share of
 * episodes every label is flipped, so predicting a label well needs the demonstrations.
 */

export const LABELS = ['negative', 'positive'] as const;
export const TEMPLATE = 'Review: {input}\nlabel: {label}\n';
export const EXPLANATION_TEMPLATE = 'Explanation: {explanation}\n';

export const POSITIVE = 'great superb wonderful excellent lovely brilliant delightful fantastic charming amazing terrific splendid'.split(' ');
export const NEGATIVE = 'awful terrible boring dreadful horrible dull bad poor tedious clumsy bland weak'.split(' ');
/** Words without valence: the reviews' filler, and what neutralised reviews use instead of valence words. */
export const FILLER = 'the a movie film plot story acting music ending cast scenes script was is and but very quite really with in of this it'.split(' ');
export const NEUTRAL_ADJECTIVES = 'long short new old recent french'.split(' ');
const EXPLANATION_WORDS = ['says', 'nothing'];

/** Every piece the prompts use: padding and unknown first (ids 0 and 1), then the template's pieces, the labels and the words with their leading space. */
export function vocabulary(): string[] {
  const words = [...POSITIVE, ...NEGATIVE, ...FILLER, ...NEUTRAL_ADJECTIVES, ...EXPLANATION_WORDS];
  return ['<pad>', '<unk>', 'Review', ':', '\n', 'label', 'Explanation', ...LABELS.map((l) => ` ${l}`), ...words.map((w) => ` ${w}`)];
}

export interface Review {
  words: string[];
  /** Index into LABELS: the sentiment of its valence words. */
  sentiment: number;
  /** The valence words, for explanations. */
  valence: string[];
}

const pick = <T>(xs: readonly T[], rng: () => number): T => xs[Math.floor(rng() * xs.length)];

/** A review of 3–6 words with one or two valence words of one polarity among filler. */
export function makeReview(rng: () => number): Review {
  const sentiment = rng() < 0.5 ? 0 : 1;
  const length = 3 + Math.floor(rng() * 4);
  const words = Array.from({ length }, () => pick(FILLER, rng));
  const count = 1 + Math.floor(rng() * 2);
  const valence: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = pick(sentiment === 1 ? POSITIVE : NEGATIVE, rng);
    words[Math.floor(rng() * length)] = word;
  }
  for (const w of words) if (POSITIVE.includes(w) || NEGATIVE.includes(w)) valence.push(w);
  if (valence.length === 0) return makeReview(rng); // the second word overwrote the first's slot only
  return { words, sentiment, valence };
}

/** The review with its valence words replaced by neutral adjectives. */
export function neutralise(review: Review, rng: () => number): string[] {
  return review.words.map((w) => (review.valence.includes(w) ? pick(NEUTRAL_ADJECTIVES, rng) : w));
}

export function explanationOf(valence: string[]): string {
  return valence.length > 0 ? `it says ${valence[0]}` : 'it says nothing';
}

export function format(input: string, label: string): string {
  return TEMPLATE.replace('{input}', input).replace('{label}', label);
}
