/**
 * The geometry of one ± error bar on a chart, in pixels: a stem from value − error to value + error
 * along the value axis, and a cap across each end. The stem is clipped to the axis' range (an end
 * beyond it gets no cap, so a clipped bar reads as going on); a zero error is a single cap at the value.
 */

/** A line from (x1, y1) to (x2, y2). */
export type Segment = [number, number, number, number];

export interface ErrorBarAxis {
  /** Pixel of a value along the value axis. */
  toPixel(value: number): number;
  min: number;
  max: number;
  /** Bars along x (the value axis is horizontal). */
  horizontal: boolean;
}

/** `at`: the bar's centre across the value axis; `cap`: half the cap's length. */
export function errorBarSegments(value: number, error: number, at: number, axis: ErrorBarAxis, cap = 4): Segment[] {
  if (!Number.isFinite(value) || !Number.isFinite(error) || !Number.isFinite(at)) return [];
  const e = Math.abs(error);
  const lo = Math.max(value - e, axis.min);
  const hi = Math.min(value + e, axis.max);
  if (lo > hi) return [];
  const point = (v: number, across: number): [number, number] => (axis.horizontal ? [axis.toPixel(v), across] : [across, axis.toPixel(v)]);
  const segment = (v0: number, a0: number, v1: number, a1: number): Segment => [...point(v0, a0), ...point(v1, a1)];
  const out: Segment[] = [];
  if (hi > lo) out.push(segment(lo, at, hi, at));
  if (value - e >= axis.min) out.push(segment(lo, at - cap, lo, at + cap));
  if (value + e <= axis.max && hi > lo) out.push(segment(hi, at - cap, hi, at + cap));
  return out;
}
