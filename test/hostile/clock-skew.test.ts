import { describe, expect, it } from "vitest";
import { explanationLines } from "#cli/explain-command.js";
import { describeProfile } from "#cli/profile-summary.js";
import { readableProfile } from "#shared/app/privacy/readable-profile.js";
import { decodeEvent, FUTURE_TOLERANCE_MS, type TailorEvent } from "#shared/domain/events/index.js";
import { clockSkewNote, foldEvents, type Profile } from "#shared/domain/profile/index.js";

const RECEIVED = Date.UTC(2026, 10, 23, 12);
const HOUR = 3_600_000;
const encoder = new TextEncoder();
let sequence = 0;

/** Decodes `raw` as ingest would when it receives it at `receivedAt`. */
function receive(raw: Record<string, unknown>, receivedAt: number): TailorEvent {
  sequence++;
  const decoded = decodeEvent(
    encoder.encode(JSON.stringify({ messageId: `m-${sequence}`, userId: "skewed", ...raw })),
    receivedAt,
  );
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.event;
}

/** Folds events received at `receivedAt` onto `profile`, as one batch. */
function fold(profile: Profile | undefined, events: readonly TailorEvent[], receivedAt: number): Profile {
  return foldEvents(profile, "skewed", events, receivedAt).profile;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe("issue 13, item 6: a clock far ahead cannot freeze the profile", () => {
  it("clamps an event 23 h ahead, so a later order clears the cart and a later email change wins", () => {
    // GIVEN a device whose clock is 23 h ahead sets the email and fills the cart
    const ahead = RECEIVED + 23 * HOUR;
    const first = fold(
      undefined,
      [
        receive({ type: "identify", timestamp: iso(ahead), traits: { email: "old@example.com" } }, RECEIVED),
        receive(
          {
            type: "track",
            event: "Product Added",
            timestamp: iso(ahead),
            properties: { product_id: "p-1", price: 10, quantity: 1, currency: "USD" },
          },
          RECEIVED,
        ),
      ],
      RECEIVED,
    );
    expect(first.t?.email).toBe("old@example.com");
    expect(first.ct?.i.map((line) => line.p)).toEqual(["p-1"]);
    expect(first.ct?.u).toBe(RECEIVED);
    expect(first.tu).toBe(RECEIVED);

    // WHEN a real order arrives an hour later, and a real email change an hour after that
    const orderAt = RECEIVED + HOUR;
    const ordered = fold(
      first,
      [
        receive(
          {
            type: "track",
            event: "Order Completed",
            timestamp: iso(orderAt),
            properties: { order_id: "o-1", total: 10, currency: "USD" },
          },
          orderAt,
        ),
      ],
      orderAt,
    );
    const changeAt = RECEIVED + 2 * HOUR;
    const changed = fold(
      ordered,
      [
        receive(
          { type: "identify", timestamp: iso(changeAt), traits: { email: "new@example.com" } },
          changeAt,
        ),
      ],
      changeAt,
    );

    // THEN the order emptied the cart and the new email is kept
    expect(ordered.ct?.i).toEqual([]);
    expect(changed.t?.email).toBe("new@example.com");
    // AND the profile remembers that two events came from a clock 23 h ahead
    expect(changed.sk).toEqual({ n: 2, ms: 23 * HOUR, at: RECEIVED });
  });

  it("takes a time up to the tolerance ahead as it is, and records nothing", () => {
    const event = receive(
      { type: "track", event: "Signed Up", timestamp: iso(RECEIVED + FUTURE_TOLERANCE_MS) },
      RECEIVED,
    );
    expect(event.timestamp).toBe(RECEIVED + FUTURE_TOLERANCE_MS);
    expect(fold(undefined, [event], RECEIVED).sk).toBeUndefined();
  });

  it("keeps the latest clamp across batches, whatever the order the events were folded in", () => {
    const at = (receivedAt: number, hoursAhead: number) =>
      receive(
        { type: "track", event: "Signed Up", timestamp: iso(receivedAt + hoursAhead * HOUR) },
        receivedAt,
      );
    const early = at(RECEIVED, 5);
    const late = at(RECEIVED + HOUR, 2);
    const both = fold(fold(undefined, [early], RECEIVED), [late], RECEIVED + HOUR);
    expect(both.sk).toEqual({ n: 2, ms: 2 * HOUR, at: RECEIVED + HOUR });
    const together = fold(undefined, [late, early], RECEIVED + HOUR);
    expect(together.sk).toEqual(both.sk);
  });

  it("shows the clamping in `tailor profile`, `tailor explain` and the readable profile", () => {
    // GIVEN three events from a clock 23 h ahead, the last received at RECEIVED
    const events = [0, 1, 2].map((n) =>
      receive(
        { type: "track", event: "Signed Up", timestamp: iso(RECEIVED - n * HOUR + 23 * HOUR) },
        RECEIVED - n * HOUR,
      ),
    );
    const profile = fold(undefined, events, RECEIVED);
    // WHEN it is described
    const note = clockSkewNote(profile);
    // THEN each view says how many, how far ahead and when
    expect(note).toBe(
      "3 events arrived with a clock ahead (the latest by 23 h); their time was set to the time received " +
        "(last 2026-11-23T12:00:00.000Z)",
    );
    expect(describeProfile({ ...profile }, RECEIVED)).toContain(`  ${"clock".padEnd(15)} ${note}`);
    expect(explanationLines("skewed", RECEIVED, [], profile)).toContain(`note: ${note}`);
    expect(readableProfile(profile).clockAhead).toEqual({ n: 3, ms: 23 * HOUR, at: RECEIVED });
    // AND a profile without clamped events says nothing about clocks
    const plain = fold(
      undefined,
      [receive({ type: "track", event: "Signed Up", timestamp: iso(RECEIVED) }, RECEIVED)],
      RECEIVED,
    );
    expect(clockSkewNote(plain)).toBeUndefined();
    expect(describeProfile({ ...plain }, RECEIVED).some((line) => line.includes("clock"))).toBe(false);
    expect(explanationLines("skewed", RECEIVED, [], plain).some((line) => line.startsWith("note:"))).toBe(
      false,
    );
  });

  it("says it of one event in the singular", () => {
    const one = fold(
      undefined,
      [receive({ type: "track", event: "Signed Up", timestamp: iso(RECEIVED + 90 * 60_000) }, RECEIVED)],
      RECEIVED,
    );
    expect(clockSkewNote(one)).toBe(
      "1 event arrived with a clock 2 h ahead; its time was set to the time received (2026-11-23T12:00:00.000Z)",
    );
  });
});
