/**
 * The `pieces` tokenizer of causal language models (sidecar input.tokenizer: "pieces"): GPT-2's
 * pre-tokenization without its byte-pair merges. The text splits into runs of letters and digits,
 * runs of punctuation, newlines and other whitespace; a single space before a word or punctuation
 * run belongs to it (" positive"), so a label word after "label:" is one piece with its leading
 * space. Each piece is looked up exactly in the vocab (index = id); pieces it lacks get the unknown id.
 * Every piece keeps its character span, so attributions map back onto the text.
 */
export interface Piece {
  id: number;
  text: string;
  /** [start, end) in the tokenized string. */
  start: number;
  end: number;
}

// Whitespace runs leave their last space to the word after them (GPT-2's `\s+(?!\S)`).
const PIECE = / ?[\p{L}\p{N}']+| ?[^\s\p{L}\p{N}']+|\n|[^\S\n]+(?!\S)|[^\S\n]+/gu;

export class PieceTokenizer {
  private readonly ids: Map<string, number>;

  constructor(
    readonly vocab: readonly string[],
    private readonly unknownId: number,
  ) {
    this.ids = new Map(vocab.map((token, id) => [token, id] as const));
  }

  /** The text's pieces in order; they cover the text exactly. */
  encode(text: string): Piece[] {
    return [...text.matchAll(PIECE)].map((m) => ({ id: this.ids.get(m[0]) ?? this.unknownId, text: m[0], start: m.index, end: m.index + m[0].length }));
  }

  /** The vocab's id of one piece, or undefined when the text is not exactly one known piece. */
  idOf(piece: string): number | undefined {
    return this.ids.get(piece);
  }
}
