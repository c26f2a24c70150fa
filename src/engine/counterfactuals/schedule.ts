/**
 * The step size and λ of one candidate of a proximal search (the tabular gradient search, image
 * perturbation), which minimises hinge(ε − margin) + λ · cost with an L1 cost. Both follow the
 * candidate's gradient scale, the largest ascent of the margin among the coordinates free to move,
 * so a coordinate that reaches its bound hands over to the next at full speed:
 * - λ starts at half the scale, so only the most cost-effective coordinates move, and halves at the
 *   end of each stage in which the candidate closed less than a tenth of its gap to the margin;
 * - steps double each stage in which the margin rose (a long way to go at small gradients);
 * - once the candidate wins, steps return to their base and λ sits just below the scale, where the
 *   hinge is an exact penalty: the oscillation at the boundary drains the less cost-effective
 *   coordinates, for REFINE_STAGES stages.
 */

/** Steps per stage: λ and the step size change between stages, and searches yield to cancellation there. */
export const STAGE = 25;
/** A stage makes progress when it closes this fraction of the gap to the margin. */
const PROGRESS = 0.1;
/** The most a losing candidate's steps grow. */
const MAX_BOOST = 64;
/** Stages a candidate keeps refining after it first wins. */
const REFINE_STAGES = 8;
/** λ as a fraction of the scale once the candidate has won. */
const WON_FRACTION = 0.9;

export class Schedule {
  private fraction = 0.5;
  private boost = 1;
  private stageStart: number;
  /** The step at which the candidate first won by ε, or null. */
  wonAt: number | null = null;

  constructor(
    /** The largest move of one step at base speed, in the search's cost units. */
    private readonly step: number,
    private scale: number,
    margin: number,
    private readonly epsilon: number,
  ) {
    this.stageStart = margin;
  }

  /** The margin at `step`, and the scale there (only read while losing: where it wins the hinge is flat). Returns whether it wins. */
  observe(step: number, margin: number, scale: number): boolean {
    if (margin < this.epsilon) {
      if (scale > 0) this.scale = scale;
      return false;
    }
    if (this.wonAt === null) [this.wonAt, this.fraction, this.boost] = [step, WON_FRACTION, 1];
    return true;
  }

  /** Step size: multiplies the ascent. */
  get eta(): number {
    return (this.boost * this.step) / this.scale;
  }

  /** λ, the weight of the L1 cost, in the ascent's units. */
  get lambda(): number {
    return this.fraction * this.scale;
  }

  /** The gradient scale, for terms weighed against the ascent (diversity). */
  get gradientScale(): number {
    return this.scale;
  }

  endStage(margin: number): void {
    if (this.wonAt !== null) return;
    const gained = (margin - this.stageStart) / (this.epsilon - this.stageStart);
    if (gained > 0) this.boost = Math.min(MAX_BOOST, 2 * this.boost);
    if (gained < PROGRESS) this.fraction /= 2;
    this.stageStart = margin;
  }

  /** Whether the candidate has won and refined long enough. */
  done(step: number): boolean {
    return this.wonAt !== null && step - this.wonAt >= REFINE_STAGES * STAGE;
  }
}
