import { describe, expect, it } from "vitest";
import { holdoutEvent } from "#shared/app/dispatch-sends.js";
import { decodeEvent, ID_MAX } from "#shared/domain/events/index.js";
import { intent, T0 } from "./harness.js";

/** Tailor's own `Email Held Out` event must always pass the ingest's validation (never be quarantined). */
describe("the Email Held Out event", () => {
  it("decodes for a customer id of the longest length the ingest allows", () => {
    // Prepare: the send key (campaign, customer, occurrence, step) is longer than any id may be.
    const customerId = "c".repeat(ID_MAX);
    const held = intent("cart", customerId);

    // Act
    const record = holdoutEvent(held, T0);
    const decoded = decodeEvent(record.data, T0);

    // Assess
    expect(held.key.length).toBeGreaterThan(ID_MAX);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(record.customerId).toBe(customerId);
    expect(decoded.event).toMatchObject({
      kind: "email_held_out",
      customerId,
      email: { campaignId: "cart", variant: "holdout" },
    });
    expect(decoded.event.messageId.length).toBeLessThanOrEqual(ID_MAX);
  });

  it("keeps a deterministic id, and distinct ones for distinct long keys", () => {
    // Prepare
    const a = intent("cart", "é".repeat(ID_MAX));
    const b = intent("cart", "é".repeat(ID_MAX), { occurrence: "other" });
    const idOf = (data: Uint8Array) => {
      const decoded = decodeEvent(data, T0);
      if (!decoded.ok) throw new Error(decoded.error.message);
      return decoded.event.messageId;
    };

    // Act, Assess
    expect(idOf(holdoutEvent(a, T0).data)).toBe(idOf(holdoutEvent(a, T0 + 1).data));
    expect(idOf(holdoutEvent(a, T0).data)).not.toBe(idOf(holdoutEvent(b, T0).data));
  });

  it("keeps the send key itself as the id when it fits", () => {
    const held = intent("cart", "c-1");
    const decoded = decodeEvent(holdoutEvent(held, T0).data, T0);
    expect(decoded.ok && decoded.event).toMatchObject({
      messageId: `held-out-${held.key}`,
      email: { messageId: held.key },
    });
  });
});
