import { describe, expect, it } from "vitest";
import { preview } from "#cli/format.js";
import { describeProfile } from "#cli/profile-summary.js";
import { decodeEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";

const NOW = Date.UTC(2026, 10, 23, 12, 0);
const HOUR = 3_600_000;

function event(raw: Record<string, unknown>): TailorEvent {
  const decoded = decodeEvent(new TextEncoder().encode(JSON.stringify(raw)), NOW);
  if (!decoded.ok) throw new Error(`fixture event rejected: ${JSON.stringify(decoded)}`);
  return decoded.event;
}

describe("describeProfile", () => {
  it("reads a folded profile the way a person would", () => {
    // GIVEN a customer who signed up, browsed, bought and left something in the cart
    const at = (hoursAgo: number) => new Date(NOW - hoursAgo * HOUR).toISOString();
    const base = { userId: "ada", timestamp: at(0) };
    const events = [
      event({
        ...base,
        type: "identify",
        messageId: "m1",
        timestamp: at(50),
        traits: { email: "Ada@Example.com", first_name: "Ada", last_name: "Lovelace" },
      }),
      event({
        ...base,
        type: "track",
        messageId: "m2",
        timestamp: at(48),
        event: "Product Viewed",
        properties: { product_id: "p-1", category: "books", price: 12.5 },
      }),
      event({
        ...base,
        type: "track",
        messageId: "m3",
        timestamp: at(47),
        event: "Order Completed",
        properties: {
          order_id: "o-1",
          total: 25,
          currency: "USD",
          products: [{ product_id: "p-1", category: "books", price: 12.5, quantity: 2 }],
        },
      }),
      event({
        ...base,
        type: "track",
        messageId: "m4",
        timestamp: at(2),
        event: "Product Added",
        properties: { product_id: "p-2", category: "garden", price: 3, quantity: 1, currency: "USD" },
      }),
    ];
    const { profile } = foldEvents(undefined, "ada", events, NOW);

    // WHEN it is described
    const lines = describeProfile({ ...profile, version: 4 }, NOW);

    // THEN the summary names the person and what they did, from the domain's own readings
    expect(lines[0]).toBe("ada  Ada Lovelace <ada@example.com>  (version 4)");
    const text = lines.join("\n");
    expect(text).toMatch(/lifecycle\s+active since 2026-11-21/);
    expect(text).toMatch(/orders\s+1 · revenue \$25\.00 · average \$25\.00 · last 2026-11-21/);
    expect(text).toMatch(/cart\s+1 line · \$3\.00/);
    expect(text).toMatch(/interests\s+books [\d.]+ · garden [\d.]+/);
    expect(text).toMatch(/last 7 days\s+1 product views · 1 adds to cart · 1 orders/);
    expect(text).toMatch(/scores\s+not scored yet/);

    // AND once rescored, its scores and cluster
    const scored = describeProfile(
      {
        ...profile,
        version: 5,
        sc: { purchase_30d: { p: 0.734, t: "high", at: NOW - HOUR } },
        cl: { c: 3, at: NOW - HOUR },
      },
      NOW,
    ).join("\n");
    expect(scored).toMatch(/scores\s+purchase_30d 0\.73 high \(2026-11-23\) · cluster 3 \(2026-11-23\)/);
  });

  it("shows an item that is not a profile field by field", () => {
    expect(describeProfile({ customerId: "x", version: 1, note: "hand-written" }, NOW)).toEqual([
      "x  (version 1)",
      "  note  hand-written",
    ]);
  });
});

describe("preview", () => {
  it("escapes control characters and cuts long text", () => {
    expect(preview("a\u0007b\nc")).toBe("a\\x07b\\x0ac");
    expect(preview("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
  });
});
