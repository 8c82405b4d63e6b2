import { decodeSeries } from "../profile/count-series.js";
import {
  type CountSeries,
  type Lifecycle,
  lifecycleAt,
  lifecycleNextChangeAt,
  type Profile,
} from "../profile/index.js";
import type { EvaluationContext, RfmScores } from "./contracts.js";
import { rfmNextChangeAt, rfmScores } from "./rfm.js";

/** RFM scores as evaluation uses them: scored live from the context's thresholds, or the stored ones. */
export interface RfmView {
  readonly scores: RfmScores;
  /** True when scored at `now` from `ctx.rfm`; false for the scores the batch stored on the profile. */
  readonly live: boolean;
  /** When time alone lowers the live recency score; undefined for stored scores. */
  readonly nextChangeAt: number | undefined;
}

/**
 * One profile at one time, with what several conditions read computed once (decoded series, lifecycle, RFM),
 * so evaluating a whole library costs little more than evaluating one definition.
 */
export class ProfileView {
  readonly profile: Profile;
  readonly now: number;
  readonly ctx: EvaluationContext;
  readonly #series = new Map<string, readonly number[]>();
  #lifecycle: Lifecycle | undefined;
  #lifecycleNext: { at: number | undefined } | undefined;
  #rfm: { value: RfmView | undefined } | undefined;

  constructor(profile: Profile, now: number, ctx: EvaluationContext) {
    this.profile = profile;
    this.now = now;
    this.ctx = ctx;
  }

  /** A count series decoded (newest first), cached under `key`. */
  decoded(key: string, series: CountSeries | undefined): readonly number[] {
    let counts = this.#series.get(key);
    if (counts === undefined) {
      counts = decodeSeries(series);
      this.#series.set(key, counts);
    }
    return counts;
  }

  /** The lifecycle stage at `now`. */
  lifecycle(): Lifecycle {
    this.#lifecycle ??= lifecycleAt(this.profile, this.now);
    return this.#lifecycle;
  }

  /** When time alone next changes the lifecycle stage after `at` (default `now`). */
  lifecycleNextChangeAt(at = this.now): number | undefined {
    if (at !== this.now) return lifecycleNextChangeAt(this.profile, at);
    this.#lifecycleNext ??= { at: lifecycleNextChangeAt(this.profile, this.now) };
    return this.#lifecycleNext.at;
  }

  /** The RFM scores to evaluate with, or undefined when there are none (never ordered, or not scored yet). */
  rfm(): RfmView | undefined {
    if (this.#rfm === undefined) {
      const thresholds = this.ctx.rfm;
      if (thresholds !== undefined) {
        const scores = rfmScores(this.profile, thresholds, this.now);
        this.#rfm = {
          value:
            scores === undefined
              ? undefined
              : { scores, live: true, nextChangeAt: rfmNextChangeAt(this.profile, thresholds, this.now) },
        };
      } else {
        const stored = this.profile.rfm;
        this.#rfm = {
          value: stored === undefined ? undefined : { scores: stored, live: false, nextChangeAt: undefined },
        };
      }
    }
    return this.#rfm.value;
  }
}
