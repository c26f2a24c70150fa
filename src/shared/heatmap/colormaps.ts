/**
 * Colormaps for attribution heatmaps, pure (no DOM, Node or vscode: bundled for the panel and the
 * host alike). viridis (perceptually uniform, lightness rising monotonically) and inferno for
 * absolute maps, gray, and blue-white-red (diverging, near-white at zero) for signed maps.
 */
import type { HeatmapView } from '../../protocol/webview';

export type Rgb = [number, number, number];
/** What the panel's dropdown offers; 'auto': viridis for absolute maps, blue-white-red for signed ones. */
export type ColormapChoice = HeatmapView['colormap'];
export type ColormapName = Exclude<ColormapChoice, 'auto'>;

/** matplotlib's viridis (van der Walt & Smith, CC0), 256 sRGB entries as hex, dark blue → yellow. */
const VIRIDIS_HEX =
  '44015444025645045745055946075a46085c460a5d460b5e470d60470e6147106347116447136548146748166848176948186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f854240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f881fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad8128ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc743fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc8635ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21ad8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725';

/** The 256 viridis entries, [r, g, b] bytes. */
export const VIRIDIS: readonly Rgb[] = Array.from({ length: VIRIDIS_HEX.length / 6 }, (_, i) => hex(VIRIDIS_HEX.slice(6 * i, 6 * i + 6)));

/** Evenly spaced stops, interpolated linearly: matplotlib's inferno, gray, ColorBrewer RdBu (7 classes) reversed. */
const STOPS: Record<Exclude<ColormapName, 'viridis'>, readonly Rgb[]> = {
  inferno: ['000004', '1b0c41', '4a0c6b', '781c6d', 'a52c60', 'cf4446', 'ed6925', 'fb9b06', 'f7d13d', 'fcffa4'].map(hex),
  gray: ['000000', 'ffffff'].map(hex),
  'blue-white-red': ['2166ac', '67a9cf', 'd1e5f0', 'f7f7f7', 'fddbc7', 'ef8a62', 'b2182b'].map(hex),
};

function hex(s: string): Rgb {
  return [0, 2, 4].map((k) => parseInt(s.slice(k, k + 2), 16)) as Rgb;
}

function clamp01(t: number): number {
  return t > 0 ? (t < 1 ? t : 1) : 0;
}

/** t in [0, 1] (clamped; NaN → 0) → viridis colour, nearest of the 256 entries. */
export function viridis(t: number): Rgb {
  return [...VIRIDIS[Math.round(clamp01(t) * (VIRIDIS.length - 1))]] as Rgb;
}

/** t in [0, 1] (0.5 = zero) → blue-white-red. */
export function diverging(t: number): Rgb {
  return colorAt('blue-white-red', t);
}

/** Colour of a colormap at t in [0, 1] (clamped; NaN → 0). */
export function colorAt(name: ColormapName, t: number): Rgb {
  if (name === 'viridis') return viridis(t);
  const stops = STOPS[name];
  const x = clamp01(t) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as Rgb;
}

export function resolveColormap(choice: ColormapChoice, signed: boolean): ColormapName {
  return choice === 'auto' ? (signed ? 'blue-white-red' : 'viridis') : choice;
}

/** CSS linear-gradient for a legend. */
export function cssGradient(name: ColormapName): string {
  const n = 9;
  const parts = Array.from({ length: n }, (_, i) => `rgb(${colorAt(name, i / (n - 1)).join(',')}) ${((i / (n - 1)) * 100).toFixed(0)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

/** CIE L* (0..100) of an sRGB colour, for checking lightness ramps. */
export function lightness([r, g, b]: Rgb): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const y = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
}
