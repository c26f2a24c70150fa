import * as assert from 'assert';
import { contrastRatio, relativeLuminance, textColorOn } from '../../../src/shared/contrast';
import { colorAt } from '../../../src/shared/heatmap';

describe('shared/contrast: WCAG 2.x', () => {
  it("matches WCAG's reference values", () => {
    assert.strictEqual(relativeLuminance([0, 0, 0]), 0);
    assert.strictEqual(relativeLuminance([255, 255, 255]), 1);
    assert.strictEqual(contrastRatio([0, 0, 0], [255, 255, 255]), 21);
    assert.strictEqual(contrastRatio([255, 255, 255], [0, 0, 0]), 21, 'symmetric');
    // #777 on white is the classic just-below-AA grey (4.48:1); #767676 is the lightest grey that passes.
    assert.ok(Math.abs(contrastRatio([0x77, 0x77, 0x77], [255, 255, 255]) - 4.48) < 0.01);
    assert.ok(contrastRatio([0x76, 0x76, 0x76], [255, 255, 255]) >= 4.5);
  });

  it('token highlights: the chosen text colour meets AA on every colour of the diverging and viridis maps', () => {
    for (const map of ['blue-white-red', 'viridis'] as const) {
      for (let i = 0; i <= 100; i++) {
        const bg = colorAt(map, i / 100);
        const ratio = contrastRatio(textColorOn(bg), bg);
        assert.ok(ratio >= 4.5, `${map} at ${i / 100}: ${ratio.toFixed(2)}:1`);
      }
    }
  });
});
