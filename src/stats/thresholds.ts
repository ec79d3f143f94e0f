/** What counts as a change, shared by the gate's verdicts and the answer the report gives. */

/** A speedup that fell by more than this fraction of its baseline (beyond the intervals) regressed. */
export const DEFAULT_TOLERANCE = 0.05;
/** A cell below this efficiency (ideal ÷ measured) falls short of its schedule. */
export const DEFAULT_MIN_EFFICIENCY = 0.9;
