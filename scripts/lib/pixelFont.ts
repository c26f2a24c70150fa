/** A 5×7 bitmap font for the few characters plot labels need (digits, signs, lower-case words). */

const GLYPHS: Record<string, string> = {
  '0': '.###. #...# #..## #.#.# ##..# #...# .###.',
  '1': '..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.',
  '2': '.###. #...# ....# ...#. ..#.. .#... #####',
  '3': '##### ...#. ..#.. ...#. ....# #...# .###.',
  '4': '...#. ..##. .#.#. #..#. ##### ...#. ...#.',
  '5': '##### #.... ####. ....# ....# #...# .###.',
  '6': '..##. .#... #.... ####. #...# #...# .###.',
  '7': '##### ....# ...#. ..#.. .#... .#... .#...',
  '8': '.###. #...# #...# .###. #...# #...# .###.',
  '9': '.###. #...# #...# .#### ....# ...#. .##..',
  '-': '..... ..... ..... .###. ..... ..... .....',
  '.': '..... ..... ..... ..... ..... .##.. .##..',
  '=': '..... ..... ##### ..... ##### ..... .....',
  ' ': '..... ..... ..... ..... ..... ..... .....',
  a: '..... ..... .###. ....# .#### #...# .####',
  c: '..... ..... .###. #.... #.... #...# .###.',
  d: '....# ....# .##.# #..## #...# #...# .####',
  e: '..... ..... .###. #...# ##### #.... .###.',
  g: '..... .#### #...# #...# .#### ....# .###.',
  h: '#.... #.... #.##. ##..# #...# #...# #...#',
  i: '..#.. ..... .##.. ..#.. ..#.. ..#.. .###.',
  l: '.##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.',
  n: '..... ..... #.##. ##..# #...# #...# #...#',
  o: '..... ..... .###. #...# #...# #...# .###.',
  p: '..... ..... ####. #...# ####. #.... #....',
  r: '..... ..... #.##. ##..# #.... #.... #....',
  s: '..... ..... .#### #.... .###. ....# ####.',
  t: '.#... .#... ###.. .#... .#... .#..# ..##.',
  u: '..... ..... #...# #...# #...# #..## .##.#',
};

export const GLYPH_WIDTH = 5;
export const GLYPH_HEIGHT = 7;
/** Advance per character, in glyph pixels (one column of spacing). */
export const ADVANCE = GLYPH_WIDTH + 1;

/**
 * Calls `plot(column, row)` for every lit pixel of `text`, laid out left to right from (0, 0) in
 * glyph pixels. Throws on a character the font lacks, so a label never renders with holes.
 */
export function forEachLitPixel(text: string, plot: (column: number, row: number) => void): void {
  [...text].forEach((ch, k) => {
    const glyph = GLYPHS[ch];
    if (glyph === undefined) throw new Error(`pixelFont: no glyph for '${ch}'`);
    glyph.split(' ').forEach((line, row) => {
      for (let column = 0; column < GLYPH_WIDTH; column++) if (line[column] === '#') plot(k * ADVANCE + column, row);
    });
  });
}
