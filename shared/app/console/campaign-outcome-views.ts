import type { ConsoleDeps } from "./console-deps.js";
import { utcDay } from "./segment-views.js";

/** Skip reasons drawn as their own series; the others are summed as one. */
export const TOP_SKIP_REASONS = 5;
/** Longest span of days the outcome chart reads. */
export const MAX_OUTCOME_DAYS = 400;
const DAY_MS = 24 * 3_600_000;
/** The outcomes always drawn, in this order, before the skip reasons. */
const OUTCOMES = ["sent", "holdout", "deferred", "failed"] as const;
const SKIPPED = "skipped:";

/** One line of the chart: an outcome (or a skip reason) and its count per day. */
export interface OutcomeSeries {
  /** `sent`, `holdout`, `deferred`, `failed`, `skipped:<reason kind>` or `skipped:*` (the other reasons). */
  readonly key: string;
  readonly label: string;
  /** One count per day of {@link CampaignOutcomes.days}. */
  readonly counts: readonly number[];
  readonly total: number;
}

/** A campaign's decisions per UTC day: sent, held out, deferred, failed and skipped by its top reasons. */
export interface CampaignOutcomes {
  readonly campaignId: string;
  /** Every day of the span, oldest first, today (UTC) last; a day without a decision counts zeros. */
  readonly days: readonly string[];
  readonly series: readonly OutcomeSeries[];
}

/**
 * The outcome chart of one campaign over the last `days` UTC days (one Query of at most `days` items); `undefined`
 * for an unknown campaign. Skips are drawn by their {@link TOP_SKIP_REASONS} most frequent reasons over the span,
 * the rest as "other reasons".
 */
export async function campaignOutcomes(
  deps: Pick<ConsoleDeps, "campaignLibrary" | "outcomes" | "clock">,
  campaignId: string,
  days: number,
): Promise<CampaignOutcomes | undefined> {
  if (!deps.campaignLibrary().byId.has(campaignId)) return undefined;
  const today = Date.parse(`${utcDay(deps.clock.now())}T00:00:00Z`);
  const span = Array.from({ length: days }, (_, i) => utcDay(today - (days - 1 - i) * DAY_MS));
  const stored = (await deps.outcomes?.days(campaignId, span[0] ?? utcDay(today))) ?? [];
  const byDay = new Map(stored.map((day) => [day.day, day.counts]));
  const countsOf = (key: string) => span.map((day) => byDay.get(day)?.[key] ?? 0);
  const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);
  const reasons = new Map<string, number>();
  for (const { counts } of stored) {
    for (const [key, n] of Object.entries(counts)) {
      if (key.startsWith(SKIPPED)) reasons.set(key, (reasons.get(key) ?? 0) + n);
    }
  }
  const ranked = [...reasons].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([key]) => key);
  const top = ranked.slice(0, TOP_SKIP_REASONS);
  const rest = ranked.slice(TOP_SKIP_REASONS);
  const series: OutcomeSeries[] = [
    ...OUTCOMES.map((key) => ({ key, label: key === "holdout" ? "held out" : key, counts: countsOf(key) })),
    ...top.map((key) => ({ key, label: `skipped: ${key.slice(SKIPPED.length)}`, counts: countsOf(key) })),
    ...(rest.length === 0
      ? []
      : [
          {
            key: `${SKIPPED}*`,
            label: `skipped: ${rest.length} other reason${rest.length === 1 ? "" : "s"}`,
            counts: span.map((_, i) => sum(rest.map((key) => countsOf(key)[i] ?? 0))),
          },
        ]),
  ].map((line) => ({ ...line, total: sum(line.counts) }));
  return { campaignId, days: span, series };
}
