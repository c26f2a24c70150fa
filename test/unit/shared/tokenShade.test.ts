/**
 * Token highlights that fade into the page (the ICL panel's prompts): the closed form of the mix,
 * the sign's colour, nothing below the faint threshold, and WCAG AA contrast (4.5:1) between a
 * token's text and its highlight for every strength, on light, dark and high-contrast pages.
 */
import * as assert from 'assert';
import { contrastRatio, type Rgb } from '../../../src/shared/contrast';
import { FAINT, SHADE_ENDS, tokenShade } from '../../../src/shared/heatmap/tokenShade';

const THEMES: { name: string; page: Rgb; text: Rgb }[] = [
  { name: 'Light Modern', page: [255, 255, 255], text: [59, 59, 59] },
  { name: 'Dark Modern', page: [31, 31, 31], text: [204, 204, 204] },
  { name: 'High Contrast', page: [0, 0, 0], text: [255, 255, 255] },
  // Its own text has 4.1:1 on its page: shades switch to black or white where the theme's text falls short.
  { name: 'Solarized Light', page: [253, 246, 227], text: [101, 123, 131] },
];

describe('shared/heatmap: token shades that fade into the page', () => {
  it('mixes the sign\'s end of blue-white-red into the page by |value| ÷ divisor ÷ scale', () => {
    const page: Rgb = [31, 31, 31];
    const full = tokenShade(2, { divisor: 2, scale: 1, page, text: [204, 204, 204] });
    assert.deepStrictEqual(full?.background, SHADE_ENDS.positive);
    const half = tokenShade(-0.25, { divisor: 1, scale: 0.5, page, text: [204, 204, 204] });
    assert.deepStrictEqual(half?.background, SHADE_ENDS.negative.map((c, i) => Math.round(0.5 * c + 0.5 * page[i])));
    // Saturates beyond the scale.
    assert.deepStrictEqual(tokenShade(-9, { divisor: 1, scale: 1, page, text: [0, 0, 0] })?.background, SHADE_ENDS.negative);
  });

  it('leaves faint tokens, zero scales and non-finite values unshaded', () => {
    const base = { divisor: 1, scale: 1, page: [255, 255, 255] as Rgb, text: [0, 0, 0] as Rgb };
    assert.strictEqual(tokenShade(FAINT * 0.99, base), null);
    assert.ok(tokenShade(FAINT * 1.01, base));
    assert.strictEqual(tokenShade(1, { ...base, scale: 0 }), null);
    assert.strictEqual(tokenShade(Number.NaN, base), null);
  });

  for (const theme of THEMES) {
    it(`keeps WCAG AA contrast on every shade: ${theme.name}`, () => {
      let shaded = 0;
      for (let v = -1; v <= 1.0001; v += 0.01) {
        const shade = tokenShade(v, { divisor: 1, scale: 1, page: theme.page, text: theme.text });
        if (!shade) continue; // plain text: the theme's own colours
        shaded++;
        const ratio = contrastRatio(shade.color, shade.background);
        assert.ok(ratio >= 4.5, `${theme.name}, value ${v.toFixed(2)}: ${ratio.toFixed(2)}:1`);
      }
      assert.ok(shaded >= 190, `${shaded} of 201 values shaded`);
    });
  }
});
