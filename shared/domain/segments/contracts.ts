/**
 * The contracts between the segment language (definitions, evaluation) and the machinery around it (membership
 * storage, transitions, timers, batch recount). Pure types: no I/O.
 */

/** Profile fields owned by segments, stored on the profile item (see `Profile.sg`, `Profile.rfm`, …). */
export interface SegmentMembership {
  /** Entered at (epoch ms). */
  readonly e: number;
  /** Version of the definition that admitted the customer. */
  readonly v: number;
}

/** RFM scores 1–5 from population quintiles, written by the batch path and read by real-time evaluation. */
export interface RfmScores {
  readonly r: number;
  readonly f: number;
  readonly m: number;
  /** When the batch computed them (epoch ms). */
  readonly at: number;
}

/** A model's score for the customer, written by the rescoring path. */
export interface ModelScore {
  /** Probability 0–1. */
  readonly p: number;
  /** Tier: `high`, `medium`, `low`. */
  readonly t: "high" | "medium" | "low";
  /** Scored at (epoch ms). */
  readonly at: number;
}

/** The customer's cluster, written by the rescoring path from the population's k-means model. */
export interface ClusterAssignment {
  /** Cluster index: 0 the least valuable cluster of the model, up to 19. */
  readonly c: number;
  /** Assigned at (epoch ms). */
  readonly at: number;
}

/**
 * Population quintile thresholds for RFM, computed in batch over every profile and stored so real-time
 * evaluation can score one profile: `recencyDays`, `frequency` and `monetary` each hold the 4 cut points
 * (20th, 40th, 60th, 80th percentiles), ascending.
 */
export interface RfmThresholds {
  readonly recencyDays: readonly [number, number, number, number];
  readonly frequency: readonly [number, number, number, number];
  readonly monetary: readonly [number, number, number, number];
  readonly computedAt: number;
  readonly population: number;
  /**
   * What the monetary cut points were computed over, so live scoring reads the same value: `total` (`o.r`)
   * when absent (thresholds stored before the setting existed).
   */
  readonly monetaryBasis?: RfmMonetaryBasis;
}

/**
 * What RFM's monetary value reads: `total` (`o.r`: what the customer paid, net of refunds and cancels) or
 * `revenue` (`o.v`: Segment's `revenue`, excluding shipping and tax, net the same way).
 */
export type RfmMonetaryBasis = "total" | "revenue";

/** Why a condition held or failed: the tree of the definition, each node with its outcome and what was seen. */
export interface Reason {
  /** `all`, `any`, `not`, or the leaf's kind (`trait`, `event`, `rfm`, …). */
  readonly node: string;
  /** The condition in words, e.g. `Product Viewed (product_id = p-1) at least 2 times in the last 24 h`. */
  readonly text: string;
  readonly held: boolean;
  /** What was seen, e.g. `2 times`, `country = "FR"`, `open rate 72 % over 10 sends`. */
  readonly seen?: string;
  readonly children?: readonly Reason[];
}

/** The verdict of one definition on one profile at one time. */
export interface Evaluation {
  readonly segmentId: string;
  readonly member: boolean;
  readonly reason: Reason;
  /** The earliest time at which the answer can change without a new event; undefined: never by time alone. */
  readonly nextChangeAt: number | undefined;
}

/** A customer entering or leaving a segment: recorded, and emitted for campaigns to consume. */
export interface SegmentTransition {
  /** Deterministic: `${customerId}#${segmentId}#${kind}#${at}`; consumers de-duplicate on it. */
  readonly id: string;
  readonly customerId: string;
  readonly segmentId: string;
  readonly kind: "entered" | "exited";
  /** When it happened (epoch ms): the evaluation time. */
  readonly at: number;
  /** Definition version that decided it. */
  readonly version: number;
  /**
   * Caused only by imported history (every event the fold applied was historical): memberships and sizes
   * follow it, but campaigns triggered by the segment ignore it. Absent for live transitions.
   */
  readonly historical?: true;
}

/** What evaluation needs besides the profile and the time. */
export interface EvaluationContext {
  /** The population's RFM thresholds, when a batch run has computed them. */
  readonly rfm?: RfmThresholds;
}
