import { describe, expect, it } from "vitest";
import { sendLines } from "#cli/sends-view.js";
import type { LedgerEntry } from "#shared/domain/campaigns/index.js";

const at = Date.UTC(2026, 10, 23, 14, 3);

function entry(overrides: Partial<LedgerEntry>): LedgerEntry {
  return {
    key: `cart#c-1#${at}#0`,
    customerId: "c-1",
    campaignId: "cart",
    purpose: "marketing",
    priority: 80,
    at,
    outcome: "sent",
    ...overrides,
  };
}

describe("sendLines", () => {
  it("shows each send and each decision not to send with its step, variant and reason", () => {
    const lines = sendLines([
      entry({
        outcome: "skipped",
        key: "newsletter#c-1#2026-11-23T09:00:00.000Z#0",
        campaignId: "newsletter",
        reason: "capped: 3 marketing emails in 7 days",
      }),
      entry({ outcome: "deferred", key: `cart#c-1#${at}#1`, reason: "quiet hours until 08:00 Europe/Paris" }),
      entry({ outcome: "sent", variant: "b", messageId: "m-1" }),
    ]);

    expect(lines).toEqual([
      "1 sent, 2 not sent, in the last 30 days (newest first):",
      "  2026-11-23 14:03 UTC  skipped   newsletter step 1: capped: 3 marketing emails in 7 days",
      "  2026-11-23 14:03 UTC  deferred  cart step 2: quiet hours until 08:00 Europe/Paris",
      "  2026-11-23 14:03 UTC  sent      cart step 1 (variant b)",
    ]);
  });

  it("says so when there is nothing", () => {
    expect(sendLines([])).toEqual(["no sends or skipped sends in the last 30 days"]);
  });
});
