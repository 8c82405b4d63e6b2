import { z } from "zod";
import { OPEN_HOURS_BUCKETS, type OpenHours, openHoursAt } from "../profile/index.js";
import { DEFAULT_OPEN_HOUR_PRIOR, normalisePrior, type OpenHourPrior } from "./send-time.js";

/**
 * The population's open hours summed over some profiles: each profile's decayed counts (local hours, as the
 * profile keeps them) brought to one time `asOf` and added. Parts read in parallel merge by adding.
 */
export interface OpenHourTotals {
  /** Decayed opens by local hour, 24 numbers. */
  readonly counts: readonly number[];
  /** Their sum: the decayed opens the totals rest on. */
  readonly opens: number;
  /** Profiles with at least one open counted. */
  readonly customers: number;
  /** The time the counts are decayed to (epoch ms). */
  readonly asOf: number;
}

/** The prior learned from the population's opens, as stored (one item per shop). */
export interface LearnedOpenHourPrior {
  /** Shares of 24 local hours, summing to 1. */
  readonly prior: OpenHourPrior;
  /** Decayed opens it rests on (rounded to 3 decimals). */
  readonly opens: number;
  /** Customers with opens it rests on. */
  readonly customers: number;
  /** When it was computed (epoch ms): the run's start. */
  readonly computedAt: number;
}

/** The stored form of {@link LearnedOpenHourPrior}, checked on read. */
export const learnedOpenHourPriorSchema = z.object({
  prior: z.array(z.number().min(0)).length(OPEN_HOURS_BUCKETS),
  opens: z.number().min(0),
  customers: z.number().int().min(0),
  computedAt: z.number(),
});

/** The accumulated form of {@link OpenHourTotals}, as a batch step stores it between pages. */
export const openHourTotalsSchema = z.object({
  counts: z.array(z.number().min(0)).length(OPEN_HOURS_BUCKETS),
  opens: z.number().min(0),
  customers: z.number().int().min(0),
  asOf: z.number(),
});

/**
 * Decayed opens a learned prior must rest on to be used: below it the 24 hours are too noisy (100 opens put about
 * 4 in an average hour) and dispatch keeps {@link DEFAULT_OPEN_HOUR_PRIOR}.
 */
export const MIN_LEARNED_PRIOR_OPENS = 100;

/** Totals of nobody, decayed to `asOf`. */
export function emptyOpenHourTotals(asOf: number): OpenHourTotals {
  return { counts: Array.from({ length: OPEN_HOURS_BUCKETS }, () => 0), opens: 0, customers: 0, asOf };
}

/**
 * Adds profiles' open hours (their `oh`, decayed to the totals' `asOf`; a histogram dated after it is taken as
 * it is) to the totals: a new value, the input left as it was.
 */
export function addOpenHours(
  totals: OpenHourTotals,
  histograms: Iterable<OpenHours | undefined>,
): OpenHourTotals {
  const counts = [...totals.counts];
  let customers = totals.customers;
  for (const histogram of histograms) {
    if (histogram === undefined) continue;
    const own = openHoursAt(histogram, totals.asOf);
    const sum = own.reduce((a, b) => a + b, 0);
    if (!(sum > 0)) continue;
    own.forEach((count, hour) => {
      counts[hour] = (counts[hour] ?? 0) + count;
    });
    customers++;
  }
  return { counts, opens: counts.reduce((a, b) => a + b, 0), customers, asOf: totals.asOf };
}

/** The totals of disjoint parts added (each brought to the latest `asOf` first); `asOf` when there is none. */
export function mergeOpenHourTotals(parts: readonly OpenHourTotals[], asOf: number): OpenHourTotals {
  const at = Math.max(asOf, ...parts.map((part) => part.asOf));
  const counts = Array.from({ length: OPEN_HOURS_BUCKETS }, () => 0);
  let customers = 0;
  for (const part of parts) {
    // Same decay as the profiles: a part counted earlier fades to the common time.
    const own = openHoursAt({ t: part.asOf, h: sparseOf(part.counts) }, at);
    own.forEach((count, hour) => {
      counts[hour] = (counts[hour] ?? 0) + count;
    });
    customers += part.customers;
  }
  return { counts, opens: counts.reduce((a, b) => a + b, 0), customers, asOf: at };
}

function sparseOf(counts: readonly number[]): Record<string, number> {
  return Object.fromEntries(counts.map((count, hour): [string, number] => [String(hour), count]));
}

/** The prior of the totals, with what it rests on, computed at `computedAt`. */
export function learnOpenHourPrior(totals: OpenHourTotals, computedAt: number): LearnedOpenHourPrior {
  return {
    prior: normalisePrior(totals.counts).map((share) => Math.round(share * 1e6) / 1e6),
    opens: Math.round(totals.opens * 1000) / 1000,
    customers: totals.customers,
    computedAt,
  };
}

/** The prior a best-time decision uses, and where it came from (shown in reasons and `tailor explain`). */
export type OpenHourPriorChoice =
  | { readonly source: "learned"; readonly prior: OpenHourPrior; readonly learned: LearnedOpenHourPrior }
  | {
      readonly source: "default";
      readonly prior: OpenHourPrior;
      /** Why not a learned one: none stored, or one resting on too few opens. */
      readonly why: string;
    };

/**
 * The learned prior when it rests on at least {@link MIN_LEARNED_PRIOR_OPENS} decayed opens, else the default,
 * saying why.
 */
export function chooseOpenHourPrior(learned: LearnedOpenHourPrior | undefined): OpenHourPriorChoice {
  if (learned === undefined) {
    return { source: "default", prior: DEFAULT_OPEN_HOUR_PRIOR, why: "no learned prior stored" };
  }
  if (learned.opens < MIN_LEARNED_PRIOR_OPENS) {
    return {
      source: "default",
      prior: DEFAULT_OPEN_HOUR_PRIOR,
      why: `learned from ${Math.round(learned.opens)} opens, fewer than ${MIN_LEARNED_PRIOR_OPENS}`,
    };
  }
  return { source: "learned", prior: normalisePrior(learned.prior), learned };
}

/**
 * The prior in words: `learned prior (1,234 opens of 310 customers, 2026-12-06)` or `default prior (no learned
 * prior stored)`.
 */
export function describeOpenHourPrior(choice: OpenHourPriorChoice): string {
  if (choice.source === "default") return `default prior (${choice.why})`;
  const { learned } = choice;
  const day = new Date(learned.computedAt).toISOString().slice(0, 10);
  return `learned prior (${Math.round(learned.opens).toLocaleString("en")} opens of ${learned.customers.toLocaleString("en")} customers, ${day})`;
}
