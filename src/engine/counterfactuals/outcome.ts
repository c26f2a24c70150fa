/** What a tabular method hands back: candidate rows (raw units) that the request checks again, or why there are none. */
export interface TabularOutcome {
  rows: Float64Array[];
  /** Why there is no counterfactual, naming the binding constraints; null when rows has one. */
  reason: string | null;
  /** How the method ran (solver and status, steps), for the result's details. */
  details: string;
  warnings?: string[];
}
