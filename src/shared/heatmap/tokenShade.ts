/**
 * A token's highlight on a signed scale that fades into the page: its sign's end of the
 * blue-white-red colormap mixed into the page's background by |value| / scale, so tokens with
 * little saliency stay plain text in light and dark themes alike (the colormap's white middle would
 * box every token on a dark page), with the theme's text colour where it keeps WCAG AA contrast on
 * the mix and black or white where it would not.
 */
import { contrastRatio, textColorOn, type Rgb } from '../contrast';
import { colorAt } from './colormaps';

/** value ÷ `divisor` reaches the colour's full strength at `scale`; the theme's page and text colours. */
export interface TokenShading {
  divisor: number;
  scale: number;
  page: Rgb;
  text: Rgb;
}

/** The colour bar's ends: the blue-white-red colormap's. */
export const SHADE_ENDS = { negative: colorAt('blue-white-red', 0), positive: colorAt('blue-white-red', 1) };

/** Below this share of the scale a token is left unshaded. */
export const FAINT = 0.03;

/** The background and text colour of a token with `value`, or null when it is too faint to shade. */
export function tokenShade(value: number, { divisor, scale, page, text }: TokenShading): { background: Rgb; color: Rgb } | null {
  const t = scale > 0 && divisor > 0 ? Math.min(1, Math.abs(value / divisor) / scale) : 0;
  if (!(t >= FAINT)) return null;
  const end = value > 0 ? SHADE_ENDS.positive : SHADE_ENDS.negative;
  const background = end.map((c, i) => Math.round(c * t + page[i] * (1 - t))) as unknown as Rgb;
  return { background, color: contrastRatio(text, background) >= 4.5 ? text : textColorOn(background) };
}
