/**
 * WCAG 2.x contrast: relative luminance and contrast ratio of sRGB colours, and the text colour
 * (black or white) that reads best on a background. Pure: the panel colours token highlights with
 * it, and tests check the panel's text against it (AA: 4.5:1 for text, 3:1 for large text).
 */
export type Rgb = readonly [number, number, number];

/** WCAG relative luminance of an sRGB colour (channels 0..255). */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** (L1 + 0.05) / (L2 + 0.05), lighter over darker: 1 (same) to 21 (black on white). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [la, lb] = [relativeLuminance(a), relativeLuminance(b)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Black or white, whichever contrasts more with `background`. */
export function textColorOn(background: Rgb): Rgb {
  return contrastRatio(background, [0, 0, 0]) >= contrastRatio(background, [255, 255, 255]) ? [0, 0, 0] : [255, 255, 255];
}
