import { describe, expect, it } from "vitest";
import { decodeEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import { harness, NOW, q, tamper, token } from "./api-harness.js";

const form = { "content-type": "application/x-www-form-urlencoded" };

function decoded(data: Uint8Array) {
  const result = decodeEvent(data, NOW);
  if (!result.ok) throw new Error(`invalid event put on the stream: ${result.error.message}`);
  return result.event;
}

describe("double opt-in: /confirm", () => {
  it("GET shows a confirmation form and changes nothing (link scanners follow links)", async () => {
    const api = harness();
    const t = token("confirm");

    const res = await api.call({ method: "GET", path: "/confirm", query: q(t) });

    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`<form method="post" action="confirm?t=${encodeURIComponent(t)}">`);
    expect(api.events.records).toEqual([]);
  });

  it("POST grants marketing consent with source double-opt-in; confirming twice is one decision", async () => {
    const api = harness();
    const t = token("confirm");

    const first = await api.call({
      method: "POST",
      path: "/confirm",
      query: q(t),
      headers: form,
      body: "confirm=yes",
    });
    api.now = NOW + 60_000;
    const again = await api.call({
      method: "POST",
      path: "/confirm",
      query: q(t),
      headers: form,
      body: "confirm=yes",
    });

    expect([first.statusCode, again.statusCode]).toEqual([200, 200]);
    const events = api.events.records.map((r) => decoded(r.data));
    expect(events[0]).toMatchObject({
      kind: "consent_updated",
      customerId: "c-42",
      consent: { purpose: "marketing_email", granted: true, source: "double-opt-in" },
    });
    expect(new Set(events.map((e) => e.messageId)).size).toBe(1);
    const folded = foldEvents(undefined, "c-42", events, NOW + 60_000);
    expect(folded.profile.c?.marketing_email).toMatchObject({ g: true, src: "double-opt-in" });
    expect(folded.duplicates).toBe(1);
  });

  it("refuses a tampered token, and a token made for another purpose, putting nothing", async () => {
    const api = harness();

    const tampered = await api.call({
      method: "POST",
      path: "/confirm",
      query: q(tamper(token("confirm"), 1)),
      headers: form,
    });
    const unsubscribe = await api.call({
      method: "POST",
      path: "/confirm",
      query: q(token("unsubscribe")),
      headers: form,
    });

    expect([tampered.statusCode, unsubscribe.statusCode]).toEqual([403, 403]);
    expect(api.events.records).toEqual([]);
  });
});
