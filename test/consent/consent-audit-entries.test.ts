import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { consentAuditEntries, consentAuditId } from "#shared/app/consent/consent-audit-entries.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { NOW, parsed as parsedAt, type RawEvent, rawEvents } from "../factories/events.js";

const MINUTE = 60_000;
const at = (offsetMinutes: number) => ({ timestamp: NOW + offsetMinutes * MINUTE });
/** When the ingest receives and folds the events: after every event time, so none is clamped. */
const RECEIVED = NOW + 60 * MINUTE;
const parsed = (raw: RawEvent) => parsedAt(raw, RECEIVED);

/** Folds the batch onto `before` with the real fold and returns what the ingest would audit. */
function audit(before: Profile | undefined, events: TailorEvent[], actor = "app:test") {
  const after = foldEvents(before, "user-1", events, RECEIVED).profile;
  return { after, entries: consentAuditEntries(before, after, events, actor) };
}

describe("consentAuditEntries", () => {
  it("audits each consent decision that changes a purpose, in time order, with no personal data", () => {
    // Prepare
    const events = [
      parsed(rawEvents.unsubscribed({}, { messageId: "m-unsub", ...at(2) })),
      parsed(rawEvents.identify({}, { messageId: "m-id", ...at(0) })),
      parsed(rawEvents.consentUpdated({}, { messageId: "m-grant", ...at(1) })),
      parsed(
        rawEvents.consentUpdated({ purpose: "profiling", granted: false, source: "preferences" }, at(3)),
      ),
    ];

    // Act
    const { entries } = audit(undefined, events);

    // Assess
    const hash = createHash("sha256").update("user-1").digest("hex");
    expect(
      entries.map((e) => [e.details.purpose, e.details.granted, e.details.source, e.details.previous]),
    ).toEqual([
      ["marketing_email", true, "signup_form", undefined],
      ["marketing_email", false, "unsubscribe", true],
      ["profiling", false, "preferences", undefined],
    ]);
    expect(entries.slice(0, 2).map((e) => e.id)).toEqual([
      consentAuditId("m-grant"),
      consentAuditId("m-unsub"),
    ]);
    expect(entries.map((e) => e.at)).toEqual([NOW + MINUTE, NOW + 2 * MINUTE, NOW + 3 * MINUTE]);
    for (const entry of entries) {
      expect(entry).toMatchObject({ action: "consent.changed", actor: "app:test", customerHash: hash });
      expect(JSON.stringify(entry)).not.toMatch(/user-1|example\.com|Ada/i);
    }
  });

  it("skips decisions the fold ignores: older than the stored one, or restating it", () => {
    // Prepare
    const before = audit(undefined, [
      parsed(rawEvents.consentUpdated({ granted: false, source: "preferences" }, at(10))),
    ]).after;
    const events = [
      parsed(rawEvents.consentUpdated({ granted: true }, { messageId: "m-old", ...at(5) })),
      parsed(rawEvents.consentUpdated({ granted: false, source: "preferences" }, at(11))),
    ];

    // Act
    const { after, entries } = audit(before, events);

    // Assess
    expect(after.c?.marketing_email).toMatchObject({ g: false, at: NOW + 11 * MINUTE });
    expect(entries).toEqual([]);
  });

  it("audits a new source for the same grant (a double opt-in confirming a signup)", () => {
    // Prepare
    const before = audit(undefined, [parsed(rawEvents.consentUpdated({}, at(0)))]).after;

    // Act
    const { entries } = audit(before, [
      parsed(rawEvents.consentUpdated({ source: "double-opt-in" }, { messageId: "m-confirm", ...at(5) })),
    ]);

    // Assess
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      id: consentAuditId("m-confirm"),
      details: { purpose: "marketing_email", granted: true, source: "double-opt-in", previous: true },
    });
  });

  it("audits nothing for a re-delivered batch, and only the new decision when mixed with one", () => {
    // Prepare
    const first = [
      parsed(rawEvents.consentUpdated({}, { messageId: "m-1", ...at(0) })),
      parsed(rawEvents.unsubscribed({}, { messageId: "m-2", ...at(1) })),
    ];
    const before = audit(undefined, first).after;
    const regrant = parsed(
      rawEvents.consentUpdated({ source: "preferences" }, { messageId: "m-3", ...at(2) }),
    );

    // Act
    const replay = audit(before, first);
    const mixed = audit(before, [...first, regrant]);

    // Assess
    expect(replay.entries).toEqual([]);
    expect(mixed.entries.map((e) => e.id)).toEqual([consentAuditId("m-3")]);
  });

  it("takes the actor from the event when given a function", () => {
    // Prepare
    const events = [parsed(rawEvents.consentUpdated({}, { messageId: "m-1", ...at(0) }))];
    const after = foldEvents(undefined, "user-1", events, NOW).profile;

    // Act
    const entries = consentAuditEntries(undefined, after, events, (event) => `app:${event.name}`);

    // Assess
    expect(entries.map((e) => e.actor)).toEqual(["app:Consent Updated"]);
  });
});
