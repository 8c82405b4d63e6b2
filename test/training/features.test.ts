import { describe, expect, it } from "vitest";
import { parseEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { FEATURE_NAMES, profileFeatures } from "#shared/domain/features/index.js";
import { DAY_MS, emptyProfile, foldEvents } from "#shared/domain/profile/index.js";

const T0 = Date.UTC(2026, 2, 1);

function event(raw: Record<string, unknown>): TailorEvent {
  const parsed = parseEvent({ userId: "u1", ...raw }, T0 + 365 * DAY_MS);
  if (!parsed.ok) throw parsed.error;
  return parsed.event;
}

const order = (id: string, day: number, total: number) =>
  event({
    type: "track",
    event: "Order Completed",
    messageId: id,
    timestamp: T0 + day * DAY_MS,
    properties: {
      order_id: id,
      total,
      currency: "USD",
      products: [{ product_id: "p1", price: total, quantity: 1, category: "books" }],
    },
  });

const view = (id: string, day: number, category: string) =>
  event({
    type: "track",
    event: "Product Viewed",
    messageId: id,
    timestamp: T0 + day * DAY_MS,
    properties: { product_id: `p-${id}`, price: 10, category },
  });

const value = (values: readonly number[], name: string): number | undefined =>
  values[FEATURE_NAMES.indexOf(name)];

describe("profileFeatures", () => {
  const events = [order("o1", 0, 30), order("o2", 10, 50), view("v1", 18, "books"), view("v2", 19, "books")];
  const now = T0 + 20 * DAY_MS;
  const profile = foldEvents(undefined, "u1", events, now).profile;

  it("is versioned, one value per name, all finite", () => {
    const features = profileFeatures(profile, now);
    expect(features.version).toBe(1);
    expect(features.names).toEqual(FEATURE_NAMES);
    expect(features.values).toHaveLength(FEATURE_NAMES.length);
    expect(features.values.every(Number.isFinite)).toBe(true);
  });

  it("measures recency, frequency, monetary value, lifecycle and affinity from the profile", () => {
    const { values } = profileFeatures(profile, now);
    expect(value(values, "days_since_last_order")).toBeCloseTo(10, 9);
    expect(value(values, "days_since_last_seen")).toBeCloseTo(1, 9);
    expect(value(values, "has_ordered")).toBe(1);
    expect(value(values, "log_orders")).toBeCloseTo(Math.log1p(2), 9);
    expect(value(values, "log_revenue")).toBeCloseTo(Math.log1p(80), 9);
    expect(value(values, "log_avg_order_value")).toBeCloseTo(Math.log1p(40), 9);
    expect(value(values, "lifecycle_repeat_buyer")).toBe(1);
    expect(value(values, "lifecycle_active")).toBe(0);
    expect(value(values, "affinity_top_share")).toBe(1);
    expect(value(values, "log_views_7d")).toBeCloseTo(Math.log1p(2), 9);
  });

  it("moves with time alone: recency grows and the lifecycle lapses", () => {
    const later = now + 100 * DAY_MS;
    const { values } = profileFeatures(profile, later);
    expect(value(values, "days_since_last_order")).toBeCloseTo(110, 9);
    expect(value(values, "lifecycle_lapsed")).toBe(1);
    expect(value(values, "log_views_7d")).toBe(0);
  });

  it("gives a customer never seen the 'long ago' defaults", () => {
    const { values } = profileFeatures(emptyProfile("u2", now), now);
    expect(value(values, "days_since_last_order")).toBe(365);
    expect(value(values, "has_ordered")).toBe(0);
    expect(value(values, "lifecycle_new_lead")).toBe(1);
  });
});
