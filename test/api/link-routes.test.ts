import { describe, expect, it } from "vitest";
import { consentAuditEntries } from "#shared/app/consent/consent-audit-entries.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import { verifyLinkToken } from "#shared/render/signed-links.js";
import { harness, NOW, profileWith, q, SECRET, tamper, token } from "./api-harness.js";

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

function decoded(data: Uint8Array, now = NOW) {
  const result = decodeEvent(data, now);
  if (!result.ok) throw new Error(`invalid event put on the stream: ${result.error.message}`);
  return result.event;
}

describe("GET /unsubscribe", () => {
  it("shows the confirmation with the masked address, a form back to the same URL and a preferences link", async () => {
    // Prepare
    const api = harness();
    api.profiles.set("c-42", profileWith("c-42", { t: { email: "jane@example.com", first_name: "Jane" } }));
    const t = token("unsubscribe");
    // Act
    const res = await api.call({ method: "GET", path: "/unsubscribe", query: q(t) });
    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" });
    expect(res.body).toContain("You are about to unsubscribe <strong>j***@example.com</strong>");
    expect(res.body).toContain("from marketing email from Acme Shop");
    expect(res.body).not.toContain("jane@example.com");
    expect(res.body).toContain(`<form method="post" action="unsubscribe?t=${encodeURIComponent(t)}">`);
    expect(res.body).not.toMatch(/<script|<link|src=/i);
    const link = /href="preferences\?t=([^"]+)"/.exec(res.body)?.[1];
    expect(link).toBeDefined();
    const minted = verifyLinkToken(decodeURIComponent(link ?? ""), SECRET, NOW, "preferences");
    expect(minted).toMatchObject({
      ok: true,
      claims: { customerId: "c-42", campaignId: "cart-abandonment" },
    });
    expect(api.events.records).toHaveLength(0);
  });

  it("escapes a <script> first name, email and shop name", async () => {
    const api = harness({ name: "<b>Evil & Co</b>", url: "javascript:alert(1)" });
    api.profiles.set(
      "c-42",
      profileWith("c-42", { t: { email: "<script>x@example.com", first_name: "<script>alert(1)</script>" } }),
    );
    const res = await api.call({ method: "GET", path: "/unsubscribe", query: q(token("unsubscribe")) });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("<script");
    expect(res.body).toContain("Hi &lt;script&gt;alert(1)&lt;/script&gt;,");
    expect(res.body).toContain("&lt;***@example.com");
    expect(res.body).toContain("&lt;b&gt;Evil &amp; Co&lt;/b&gt;");
    expect(res.body).not.toContain("javascript:");
  });

  it("still offers to unsubscribe when the profile is unknown", async () => {
    const api = harness();
    const res = await api.call({ method: "GET", path: "/unsubscribe", query: q(token("unsubscribe")) });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(
      "You are about to unsubscribe your address from marketing email from Acme Shop",
    );
  });
});

describe("refused links change nothing", () => {
  const cases: [string, () => string, number][] = [
    ["a flipped payload character", () => tamper(token("unsubscribe"), 0), 403],
    ["a flipped signature character", () => tamper(token("unsubscribe"), 1), 403],
    ["another secret", () => token("unsubscribe", { secret: `${SECRET}-other` }), 403],
    ["an expired token", () => token("unsubscribe", { expiresAt: NOW - 1 }), 403],
    ["a token for another purpose", () => token("preferences"), 403],
    ["garbage", () => "not-a-token", 400],
  ];

  for (const [name, make, status] of cases) {
    it(`GET and POST /unsubscribe refuse ${name} (${status})`, async () => {
      const api = harness();
      const t = make();
      for (const method of ["GET", "POST"]) {
        const res = await api.call({
          method,
          path: "/unsubscribe",
          query: q(t),
          body: "List-Unsubscribe=One-Click",
        });
        expect(res.statusCode).toBe(status);
        expect(res.body).toContain("This link is not valid");
        expect(res.body).toContain("Nothing was changed");
        expect(res.headers).toMatchObject(SECURITY_HEADERS);
      }
      expect(api.events.records).toHaveLength(0);
    });
  }

  it("refuses a request without a token (400)", async () => {
    const api = harness();
    const res = await api.call({ method: "POST", path: "/unsubscribe" });
    expect(res.statusCode).toBe(400);
    expect(api.events.records).toHaveLength(0);
  });

  it("refuses an unsubscribe token on the preference page, and a tampered one on its POST", async () => {
    const api = harness();
    const get = await api.call({ method: "GET", path: "/preferences", query: q(token("unsubscribe")) });
    const post = await api.call({
      method: "POST",
      path: "/preferences",
      query: q(tamper(token("preferences"), 0)),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "marketing_email=no",
    });
    expect([get.statusCode, post.statusCode]).toEqual([403, 403]);
    expect(api.events.records).toHaveLength(0);
  });
});

describe("POST /unsubscribe", () => {
  it("puts exactly one valid Unsubscribed event keyed by the customer", async () => {
    const api = harness();
    const res = await api.call({
      method: "POST",
      path: "/unsubscribe",
      query: q(token("unsubscribe", { customerId: "c-7", campaignId: "winback" })),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("You are unsubscribed");
    const [record, ...more] = api.events.records;
    expect(more).toHaveLength(0);
    expect(record?.customerId).toBe("c-7");
    const event = decoded(record?.data ?? new Uint8Array());
    expect(event).toMatchObject({
      kind: "unsubscribed",
      customerId: "c-7",
      timestamp: NOW,
      unsubscribe: { purpose: "marketing_email", campaignId: "winback" },
    });
  });

  it("gives every click of the same link the same messageId, so the fold applies it once", async () => {
    const api = harness();
    const t = token("unsubscribe");
    await api.call({ method: "POST", path: "/unsubscribe", query: q(t), body: "List-Unsubscribe=One-Click" });
    api.now = NOW + 60_000;
    await api.call({ method: "POST", path: "/unsubscribe", query: q(t), body: "confirm=yes" });
    const [first, second] = api.events.records.map((r) => decoded(r.data, api.now));
    expect(first?.messageId).toBeDefined();
    expect(second?.messageId).toBe(first?.messageId);
    const other = harness();
    await other.call({
      method: "POST",
      path: "/unsubscribe",
      query: q(token("unsubscribe", { campaignId: "x" })),
    });
    expect(decoded(other.events.records[0]?.data ?? new Uint8Array()).messageId).not.toBe(first?.messageId);

    const events = [first, second].flatMap((e) => (e === undefined ? [] : [e]));
    const folded = foldEvents(undefined, "c-42", events, api.now);
    expect(folded.applied).toBe(1);
    expect(folded.duplicates).toBe(1);
    expect(folded.profile.s?.unsubscribe).toBeDefined();
    expect(folded.profile.c?.marketing_email?.g).toBe(false);
  });

  it("after a re-subscription the same link unsubscribes again; a double click is one event and one audit entry", async () => {
    // Prepare: a subscribed customer (marketing granted a day ago) and the link of an email sent to them.
    const api = harness();
    const customer = "c-42";
    api.profiles.set(
      customer,
      profileWith(customer, {
        c: { marketing_email: { g: true, at: NOW - 86_400_000, src: "signup_form" } },
      }),
    );
    const t = token("unsubscribe");
    const clicks = (from: number) => api.events.records.slice(from).map((r) => decoded(r.data, api.now));
    const click = () => api.call({ method: "POST", path: "/unsubscribe", query: q(t), body: "confirm=yes" });
    const ingest = (batch: ReturnType<typeof clicks>) => {
      const before = api.profiles.get(customer);
      const folded = foldEvents(before, customer, batch, api.now);
      api.profiles.set(customer, folded.profile);
      return { folded, audit: consentAuditEntries(before, folded.profile, batch, "api:test") };
    };

    // Act 1: a double click before the ingest folds the first, then a third click once it has.
    await click();
    api.now = NOW + 1000;
    await click();
    const first = ingest(clicks(0));
    api.now = NOW + 60_000;
    await click();
    const afterUnsubscribed = api.events.records.length;

    // Act 2: re-subscribe on the preference page an hour later, then the same unsubscribe link again.
    api.now = NOW + 3_600_000;
    await api.call({
      method: "POST",
      path: "/preferences",
      query: q(token("preferences")),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "marketing_email=yes",
    });
    const resubscribed = ingest(clicks(afterUnsubscribed));
    api.now = NOW + 2 * 3_600_000;
    await click();
    const again = ingest(clicks(afterUnsubscribed + 1));

    // Assess
    expect(first.folded).toMatchObject({ applied: 1, duplicates: 1 });
    expect(first.audit).toHaveLength(1);
    expect(first.folded.profile.s?.unsubscribe).toBeDefined();
    expect(afterUnsubscribed).toBe(2);
    expect(resubscribed.folded.profile.c?.marketing_email?.g).toBe(true);
    expect(resubscribed.folded.profile.s?.unsubscribe).toBeUndefined();
    expect(again.folded).toMatchObject({ applied: 1, duplicates: 0 });
    expect(again.audit).toMatchObject([
      { details: { granted: false, source: "unsubscribe", previous: true } },
    ]);
    expect(again.folded.profile.c?.marketing_email?.g).toBe(false);
    expect(again.folded.profile.s?.unsubscribe).toBeDefined();
  });

  it("accepts a base64-encoded one-click body (as API Gateway passes form posts)", async () => {
    const api = harness();
    const res = await api.call({
      method: "POST",
      path: "/unsubscribe",
      query: q(token("unsubscribe")),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: Buffer.from("List-Unsubscribe=One-Click").toString("base64"),
      isBase64Encoded: true,
    });
    expect(res.statusCode).toBe(200);
    expect(api.events.records).toHaveLength(1);
  });

  it("answers 503 with Retry-After when the stream refuses the event", async () => {
    const api = harness();
    api.events.refuse = true;
    const res = await api.call({ method: "POST", path: "/unsubscribe", query: q(token("unsubscribe")) });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBeDefined();
    expect(res.body).toContain("Nothing was changed");
  });
});

describe("/preferences", () => {
  it("shows the marketing consent state and a toggle", async () => {
    const api = harness();
    api.profiles.set(
      "c-42",
      profileWith("c-42", {
        t: { email: "jane@example.com" },
        c: { marketing_email: { g: true, at: NOW - 1 } },
      }),
    );
    const t = token("preferences");
    const res = await api.call({ method: "GET", path: "/preferences", query: q(t) });
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject(SECURITY_HEADERS);
    expect(res.body).toContain("<strong>j***@example.com</strong> receives marketing email from Acme Shop");
    expect(res.body).toContain('name="marketing_email" value="no"');
    expect(res.body).toContain(`action="preferences?t=${encodeURIComponent(t)}"`);

    api.profiles.set(
      "c-42",
      profileWith("c-42", { s: { unsubscribe: { r: "marketing_email", at: NOW - 1 } } }),
    );
    const after = await api.call({ method: "GET", path: "/preferences", query: q(t) });
    expect(after.body).toContain("does not receive marketing email");
    expect(after.body).toContain('name="marketing_email" value="yes"');
    expect(api.events.records).toHaveLength(0);
  });

  it("puts a Consent Updated event for the choice", async () => {
    const api = harness();
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const t = token("preferences");
    const no = await api.call({
      method: "POST",
      path: "/preferences",
      query: q(t),
      headers: form,
      body: "marketing_email=no",
    });
    api.now = NOW + 1000;
    const yes = await api.call({
      method: "POST",
      path: "/preferences",
      query: q(t),
      headers: form,
      body: "marketing_email=yes",
    });
    expect([no.statusCode, yes.statusCode]).toEqual([200, 200]);
    expect(yes.body).toContain("Saved.");
    const events = api.events.records.map((r) => decoded(r.data, api.now));
    expect(events).toMatchObject([
      {
        kind: "consent_updated",
        customerId: "c-42",
        consent: { purpose: "marketing_email", granted: false },
      },
      { kind: "consent_updated", customerId: "c-42", consent: { purpose: "marketing_email", granted: true } },
    ]);
    expect(events[0]?.messageId).not.toBe(events[1]?.messageId);
  });

  it("refuses a form without a choice, putting nothing", async () => {
    const api = harness();
    const res = await api.call({
      method: "POST",
      path: "/preferences",
      query: q(token("preferences")),
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "marketing_email=maybe",
    });
    expect(res.statusCode).toBe(400);
    expect(api.events.records).toHaveLength(0);
  });
});

describe("routing and failures", () => {
  it("answers an unknown route with 404 JSON and a wrong method with 405", async () => {
    const api = harness();
    const missing = await api.call({ method: "GET", path: "/admin" });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(missing.body)).toEqual({ errors: [{ message: "not found", issues: [] }] });
    const wrong = await api.call({ method: "DELETE", path: "/unsubscribe" });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe("GET, POST");
  });

  it("never leaks an unexpected error's message or stack", async () => {
    const api = harness();
    const secretMessage = "connection string postgres://admin:hunter2@db";
    api.deps.profiles.get = async () => {
      throw new Error(secretMessage);
    };
    const res = await api.call({ method: "GET", path: "/preferences", query: q(token("preferences")) });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("hunter2");
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
    expect(res.body).toContain("Something went wrong");
  });
});
