import type { EventKind, TailorEvent } from "#shared/domain/events/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { profileFeatures } from "#shared/domain/features/index.js";
import type { PropensityModelName } from "#shared/domain/models/index.js";
import { TrainingInputError } from "#shared/domain/models/index.js";
import { stableShare } from "#shared/domain/models/stable-hash.js";
import { DAY_MS, foldEvents } from "#shared/domain/profile/index.js";

/** Purchase label window after the cutoff. */
export const PURCHASE_WINDOW_DAYS = 30;
/** Churn label window after the cutoff: no event of the customer's own in it. */
export const CHURN_WINDOW_DAYS = 60;
/** Shortest label window a table is built with (a shorter history cannot say who bought or left). */
export const MIN_WINDOW_DAYS = 0.5;

/** One raw event of the shop's history: as recorded (JSON, the simulator's), or already decoded (the archive's). */
export type HistoryRecord = { readonly event: unknown } | { readonly decoded: TailorEvent };

/** Kinds that are not something the customer did (they do not keep a customer from churning). */
export const SYSTEM_KINDS: ReadonlySet<EventKind> = new Set([
  "email_delivered",
  "email_bounced",
  "email_held_out",
]);

/** Each customer's valid events, customers in id order (raw records are parsed as ingest parses them). */
export function eventsByCustomer(history: Iterable<HistoryRecord>, now: number): Map<string, TailorEvent[]> {
  const byCustomer = new Map<string, TailorEvent[]>();
  for (const record of history) {
    let event: TailorEvent;
    if ("decoded" in record) event = record.decoded;
    else {
      const parsed = parseEvent(record.event, now);
      if (!parsed.ok) continue;
      event = parsed.event;
    }
    const events = byCustomer.get(event.customerId);
    if (events === undefined) byCustomer.set(event.customerId, [event]);
    else events.push(event);
  }
  return new Map([...byCustomer].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** How long after the cutoff each label looks. */
export interface LabelWindows {
  readonly purchaseDays: number;
  readonly churnDays: number;
}

/** One customer at one cutoff: the features the profile had then, and what happened after. */
export interface FeatureRow {
  readonly customerId: string;
  readonly features: readonly number[];
  /** 1 when the customer ordered in (T, T + purchaseDays]. */
  readonly purchase_30d: 0 | 1;
  /** 1 when the customer did nothing of their own in (T, T + churnDays]. */
  readonly churn_60d: 0 | 1;
}

/**
 * The row of a customer at cutoff T: features from the events before T only (folded into the profile as ingest
 * folds them, then the versioned feature function), labels from the events after T. An event after T never
 * changes a feature. Undefined when the customer had no event before T.
 */
export function featureRowAt(
  customerId: string,
  events: readonly TailorEvent[],
  cutoff: number,
  windows: LabelWindows,
): FeatureRow | undefined {
  const before = events.filter((event) => event.timestamp < cutoff);
  if (before.length === 0) return undefined;
  const after = events.filter((event) => event.timestamp >= cutoff);
  const within = (event: TailorEvent, days: number) => event.timestamp < cutoff + days * DAY_MS;
  const profile = foldEvents(undefined, customerId, before, cutoff).profile;
  return {
    customerId,
    features: profileFeatures(profile, cutoff).values,
    purchase_30d: after.some((e) => e.kind === "order_completed" && within(e, windows.purchaseDays)) ? 1 : 0,
    churn_60d: after.some((e) => !SYSTEM_KINDS.has(e.kind) && within(e, windows.churnDays)) ? 0 : 1,
  };
}

/** Where to cut a history into a training table and a later hold-out. */
export interface FeatureTableOptions {
  /** Features of the training rows as of this time (epoch ms). */
  readonly cutoff: number;
  /** Features of the hold-out rows as of this later time (epoch ms). */
  readonly holdoutCutoff: number;
  /** The end of the history (epoch ms): labels look no further. */
  readonly end: number;
  /** Share of training customers kept for validation (early stopping). @default 0.2 */
  readonly validationShare?: number;
}

/** A history cut into training, validation and a time-based hold-out. */
export interface FeatureTable {
  readonly windows: LabelWindows;
  readonly train: readonly FeatureRow[];
  readonly validation: readonly FeatureRow[];
  /** The same customers (and new ones) at the later cutoff, labels from after it: never seen in training. */
  readonly holdout: readonly FeatureRow[];
}

/**
 * The label windows a history allows: 30 and 60 days, shortened to fit both between the cutoff and the hold-out
 * cutoff (training labels end before the hold-out's features start) and between the hold-out cutoff and the end.
 */
export function labelWindows(options: FeatureTableOptions): LabelWindows {
  const { cutoff, holdoutCutoff, end } = options;
  if (!(cutoff < holdoutCutoff && holdoutCutoff < end))
    throw new TrainingInputError(
      "cutoff < holdoutCutoff < end is needed (e.g. cutoff 2026-01-01, holdoutCutoff 2026-02-01, to 2026-03-01)",
    );
  const room = Math.min(holdoutCutoff - cutoff, end - holdoutCutoff) / DAY_MS;
  if (room < MIN_WINDOW_DAYS)
    throw new TrainingInputError(
      `holdoutCutoff: at least ${MIN_WINDOW_DAYS} day between cutoff and holdoutCutoff, and as much after cutoff and before the end of the history is needed for labels`,
    );
  return { purchaseDays: Math.min(PURCHASE_WINDOW_DAYS, room), churnDays: Math.min(CHURN_WINDOW_DAYS, room) };
}

/** Builds the training, validation and hold-out rows of a history ({@link eventsByCustomer}). */
export function buildFeatureTable(
  byCustomer: ReadonlyMap<string, readonly TailorEvent[]>,
  options: FeatureTableOptions,
): FeatureTable {
  const windows = labelWindows(options);
  const share = options.validationShare ?? 0.2;
  const train: FeatureRow[] = [];
  const validation: FeatureRow[] = [];
  const holdout: FeatureRow[] = [];
  for (const [customerId, events] of byCustomer) {
    const row = featureRowAt(customerId, events, options.cutoff, windows);
    if (row !== undefined) (inValidation(customerId, share) ? validation : train).push(row);
    const later = featureRowAt(customerId, events, options.holdoutCutoff, windows);
    if (later !== undefined) holdout.push(later);
  }
  return { windows, train, validation, holdout };
}

/** Whether a customer's training row goes to validation (a stable hash of the id). */
export function inValidation(customerId: string, share: number): boolean {
  return stableShare(`validation:${customerId}`) < share;
}

/** Rows in SageMaker's training CSV: the label first, then the features in order; no header. */
export function toTrainingCsv(rows: readonly FeatureRow[], model: PropensityModelName): string {
  return rows.map((row) => `${[row[model], ...row.features].join(",")}\n`).join("");
}

/** A labelled table read back from {@link toTrainingCsv}'s format. */
export interface LabelledRows {
  readonly labels: number[];
  readonly rows: number[][];
}

/** Reads a training CSV (label first, no header); a bad line is an error naming its number and cell. */
export function parseTrainingCsv(text: string, where: string): LabelledRows {
  const labels: number[] = [];
  const rows: number[][] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const raw = line.split(",");
    // An empty cell is a missing value (NaN), as XGBoost reads CSV; anything else must be a finite number.
    const cells = raw.map((cell) => (cell.trim() === "" ? Number.NaN : Number(cell)));
    const bad = cells.findIndex((x, i) => !Number.isFinite(x) && (raw[i] ?? "").trim() !== "");
    if (bad !== -1)
      throw new TrainingInputError(`${where} line ${index + 1}: cell ${bad + 1} is not a number`);
    const [label, ...features] = cells;
    if (label !== 0 && label !== 1)
      throw new TrainingInputError(`${where} line ${index + 1}: the label (first cell) must be 0 or 1`);
    labels.push(label);
    rows.push(features);
  });
  return { labels, rows };
}
