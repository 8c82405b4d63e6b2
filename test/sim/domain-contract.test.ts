import { describe, expect, it } from "vitest";
import { decodeEvent } from "#shared/domain/events/index.js";
import { MALFORMED_KINDS, malformedRecords, simulate } from "#shared/sim/index.js";

const DAY_MS = 86_400_000;
const encoder = new TextEncoder();

describe("the simulator speaks the event contract", () => {
  it("produces only events the domain accepts, with the ids and times it was given", () => {
    const opts = { customers: 300, days: 14, seed: 11, start: Date.UTC(2025, 0, 6) };
    const now = opts.start + opts.days * DAY_MS;
    const rejected: string[] = [];
    let accepted = 0;
    for (const { event, at } of simulate(opts)) {
      const result = decodeEvent(encoder.encode(JSON.stringify(event)), now);
      if (!result.ok) {
        if (rejected.length < 5) rejected.push(`${result.error.message}: ${JSON.stringify(event)}`);
        continue;
      }
      accepted++;
      if (result.event.messageId !== event.messageId || result.event.timestamp !== at) {
        rejected.push(`changed id or time: ${JSON.stringify(event)}`);
      }
    }
    expect(rejected).toEqual([]);
    expect(accepted).toBeGreaterThan(10_000);
  });

  it("produces malformed payloads the domain rejects, each for its own reason", () => {
    const reasons: Record<(typeof MALFORMED_KINDS)[number], RegExp> = {
      not_json: /JSON/i,
      bad_email: /email/,
      bad_price: /price/,
      invalid_utf8: /UTF-8/i,
      track_without_event: /event/,
      missing_ids: /userId|anonymousId/,
      bad_timestamp: /timestamp/,
    };
    for (const { kind, data } of malformedRecords(3, MALFORMED_KINDS.length)) {
      const result = decodeEvent(data, Date.UTC(2025, 0, 2));
      expect(result.ok, kind).toBe(false);
      if (!result.ok) expect(result.error.message, kind).toMatch(reasons[kind]);
    }
  });
});
