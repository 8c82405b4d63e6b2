import { createHash } from "node:crypto";
import Analytics from "@rudderstack/rudder-sdk-node";
import { describe, expect, it } from "vitest";
import {
  type DecodedEvent,
  decodeEvent,
  decodeEventBytes,
  EVENTS_PER_RECORD_MAX,
  GROUP_TRAIT_VALUE_MAX,
  GROUP_TRAITS_MAX,
  type ParseResult,
  parseEvent,
  type TailorEvent,
} from "#shared/domain/events/index.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const ARRIVED = NOW - 2_000;
const encoder = new TextEncoder();
const iso = (ms: number) => new Date(ms).toISOString();
const bytes = (value: unknown) => encoder.encode(JSON.stringify(value));

/** The one event of a one-event record, or a failure naming why. */
function only(decoded: readonly DecodedEvent[]): ParseResult {
  expect(decoded).toHaveLength(1);
  const [first] = decoded;
  if (first === undefined) throw new Error("no result");
  return first.result;
}

function eventOf(result: ParseResult): TailorEvent {
  if (!result.ok) throw new Error(`expected a valid event: ${result.error.message}`);
  return result.event;
}

function issuesOf(result: ParseResult): string[] {
  return result.ok ? [] : result.error.issues.map((issue) => `${issue.path}:${issue.rule}`);
}

const view = { type: "track", event: "Product Viewed", userId: "c-1", properties: { product_id: "p-1" } };

describe("messageId optional: derived from the record's bytes", () => {
  it("an event without messageId takes derived- + the SHA-256 of the exact bytes, the same on every delivery", () => {
    // Prepare
    const data = bytes({ ...view, timestamp: iso(NOW - 60_000) });
    const expected = `derived-${createHash("sha256").update(data).digest("hex")}`;

    // Act
    const first = eventOf(only(decodeEventBytes(data, { now: NOW, arrivedAt: ARRIVED })));
    const redelivered = eventOf(only(decodeEventBytes(Uint8Array.from(data), { now: NOW + 5_000 })));
    const other = eventOf(
      only(decodeEventBytes(bytes({ ...view, timestamp: iso(NOW - 59_999) }), { now: NOW })),
    );

    // Assess
    expect(first.messageId).toBe(expected);
    expect(redelivered.messageId).toBe(expected);
    expect(other.messageId).not.toBe(expected);
  });

  it("a messageId that is sent wins; without a fallback (the HTTP API's check) a missing one is refused", () => {
    const data = bytes({ ...view, timestamp: iso(NOW) });
    expect(
      eventOf(only(decodeEventBytes(bytes({ ...view, messageId: "m-1", timestamp: iso(NOW) }), { now: NOW })))
        .messageId,
    ).toBe("m-1");
    expect(issuesOf(decodeEvent(data, NOW))).toEqual(["messageId:required"]);
    expect(eventOf(decodeEvent(data, NOW, { fallbackMessageId: "api-1" })).messageId).toBe("api-1");
  });
});

describe("time defaults (Segment's server rules), never the ingest clock", () => {
  const device = NOW - 3_600_000; // the device's clock reads an hour behind
  const cases: [string, Record<string, unknown>, number, number | undefined][] = [
    [
      "timestamp when given",
      { timestamp: iso(NOW - 10_000), originalTimestamp: iso(device) },
      NOW - 10_000,
      ARRIVED,
    ],
    [
      "receivedAt − (sentAt − originalTimestamp) with the event's receivedAt",
      { originalTimestamp: iso(device), sentAt: iso(device + 5_000), receivedAt: iso(NOW - 1_000) },
      NOW - 1_000 - 5_000,
      ARRIVED,
    ],
    [
      "receivedAt − (sentAt − originalTimestamp) with the record's arrival time",
      { originalTimestamp: iso(device), sentAt: iso(device + 5_000) },
      ARRIVED - 5_000,
      ARRIVED,
    ],
    ["originalTimestamp without sentAt", { originalTimestamp: iso(device) }, device, ARRIVED],
    ["the event's receivedAt", { receivedAt: iso(NOW - 7_000) }, NOW - 7_000, ARRIVED],
    ["the record's arrival time", {}, ARRIVED, ARRIVED],
  ];
  it.each(cases)("%s", (_, fields, expected, arrivedAt) => {
    const data = bytes({ ...view, messageId: "m-1", ...fields });
    const at = (now: number) =>
      eventOf(only(decodeEventBytes(data, arrivedAt === undefined ? { now } : { now, arrivedAt }))).timestamp;
    expect(at(NOW)).toBe(expected);
    // Redelivered a minute later: the same time (the ingest clock never enters it).
    expect(at(NOW + 60_000)).toBe(expected);
  });

  it("no time at all and no arrival time is refused; a bad sentAt is named; the future clamp still applies", () => {
    expect(issuesOf(parseEvent({ ...view, messageId: "m-1" }, NOW))).toEqual(["timestamp:required"]);
    expect(
      issuesOf(
        parseEvent({ ...view, messageId: "m-1", originalTimestamp: iso(NOW), sentAt: "yesterday" }, NOW),
      ),
    ).toEqual(["sentAt:format"]);
    const ahead = eventOf(
      parseEvent({ ...view, messageId: "m-1", originalTimestamp: iso(NOW + 86_400_000) }, NOW),
    );
    expect(ahead.timestamp).toBe(NOW);
    expect(ahead.clockSkewMs).toBe(86_400_000);
    expect(
      issuesOf(parseEvent({ ...view, messageId: "m-1", originalTimestamp: "1999-12-31T00:00:00Z" }, NOW)),
    ).toEqual(["originalTimestamp:range"]);
  });
});

describe("real producers' records", () => {
  it("parses what RudderStack's node SDK sends: originalTimestamp and sentAt, no timestamp", () => {
    // Prepare: the SDK's own message, taken just before it would be queued (and then dropped: no network).
    const captured: Record<string, unknown>[] = [];
    const client = new Analytics("write-key", {
      dataPlaneUrl: "http://127.0.0.1:9",
      beforeEnqueue: (message) => {
        captured.push(JSON.parse(JSON.stringify(message)));
        return null;
      },
    });
    client.track({ userId: "c-7", event: "Product Added", properties: { product_id: "p-9", price: 3 } });
    const [message] = captured;
    // flush() stamps sentAt on each message as it sends the batch.
    const sent = { ...message, sentAt: new Date().toISOString() };
    expect(sent).not.toHaveProperty("timestamp");

    // Act
    const event = eventOf(
      only(decodeEventBytes(bytes(sent), { now: Date.now() + 1_000, arrivedAt: Date.now() })),
    );

    // Assess
    expect(event).toMatchObject({ kind: "product_added", customerId: "c-7", messageId: message?.messageId });
    expect(Math.abs(event.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('parses a record of RudderStack\'s Amazon Kinesis destination: the message as the server enriched it, userId ""', () => {
    // rudder-server's Kinesis producer puts the transformed event's `message` as the record's data.
    const record = {
      anonymousId: "anon-5",
      userId: "",
      channel: "web",
      context: { library: { name: "RudderLabs JavaScript SDK", version: "3.0.0" }, timezone: "Europe/Paris" },
      event: "Product Viewed",
      integrations: { All: true },
      messageId: "e4f2b3c1-rs",
      originalTimestamp: "2026-11-23T10:59:58.120Z",
      sentAt: "2026-11-23T10:59:59.000Z",
      receivedAt: "2026-11-23T11:00:00.500Z",
      timestamp: "2026-11-23T10:59:59.620Z",
      properties: { product_id: "p-3", price: 9.5 },
      request_ip: "203.0.113.7",
      rudderId: "4a1c0b9f",
      type: "track",
    };
    const event = eventOf(only(decodeEventBytes(bytes(record), { now: NOW })));
    expect(event).toMatchObject({
      kind: "product_viewed",
      customerId: "anon-5",
      userId: undefined,
      timestamp: Date.parse("2026-11-23T10:59:59.620Z"),
    });
  });

  it("parses a record of Segment's Amazon Kinesis destination: the Segment message itself (msg.json())", () => {
    const message = {
      anonymousId: "507f191e810c19729de860ea",
      context: { library: { name: "analytics.js", version: "2.11.1" }, locale: "en-US" },
      event: "Order Completed",
      integrations: {},
      messageId: "ajs-f8ca1e4de5024d9430b3928bd8ac6b96",
      originalTimestamp: "2026-11-23T09:59:58.000Z",
      projectId: "Zc8DD8z0aC",
      properties: {
        order_id: "o-1",
        total: 20,
        currency: "EUR",
        products: [{ product_id: "p-1", price: 20 }],
      },
      receivedAt: "2026-11-23T10:00:00.000Z",
      sentAt: "2026-11-23T09:59:59.000Z",
      timestamp: "2026-11-23T09:59:59.000Z",
      type: "track",
      userId: "97980cfea0067",
      version: 2,
    };
    const event = eventOf(only(decodeEventBytes(bytes(message), { now: NOW })));
    expect(event).toMatchObject({ kind: "order_completed", customerId: "97980cfea0067" });
    expect(event.timestamp).toBe(Date.parse(message.timestamp));
  });
});

describe("screen, group and alias calls", () => {
  const base = { messageId: "m-1", userId: "c-1", timestamp: iso(NOW - 1_000) };

  it("screen is a view with its name (envelope over properties)", () => {
    const event = eventOf(
      parseEvent({ ...base, type: "screen", name: "Checkout", properties: { category: "shop" } }, NOW),
    );
    expect(event).toMatchObject({
      kind: "screen",
      name: "Screen Viewed",
      screen: { name: "Checkout", category: "shop" },
    });
  });

  it("group keeps groupId and a few scalar traits, name first; without groupId it is refused", () => {
    const traits = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`t${i}`, i]));
    const long = "x".repeat(GROUP_TRAIT_VALUE_MAX + 1);
    const event = eventOf(
      parseEvent(
        {
          ...base,
          type: "group",
          groupId: "acme",
          traits: { about: long, ...traits, deep: { x: 1 }, name: "Acme" },
        },
        NOW,
      ),
    );
    if (event.kind !== "group") throw new Error(event.kind);
    expect(event.group.groupId).toBe("acme");
    expect(Object.keys(event.group.traits)).toEqual(
      ["name", "t0", "t1", "t2", "t3"].slice(0, GROUP_TRAITS_MAX),
    );
    expect(issuesOf(parseEvent({ ...base, type: "group" }, NOW))).toEqual(["groupId:required"]);
  });

  it("alias needs previousId and userId", () => {
    const event = eventOf(parseEvent({ ...base, type: "alias", previousId: "anon-1" }, NOW));
    expect(event).toMatchObject({ kind: "alias", customerId: "c-1", alias: { previousId: "anon-1" } });
    expect(issuesOf(parseEvent({ ...base, type: "alias" }, NOW))).toEqual(["previousId:required"]);
    expect(
      issuesOf(
        parseEvent({ ...base, userId: undefined, anonymousId: "a-1", type: "alias", previousId: "x" }, NOW),
      ),
    ).toEqual(["userId:required"]);
  });
});

describe("email addresses", () => {
  const identify = (email: string) =>
    parseEvent(
      { type: "identify", messageId: "m-1", userId: "c-1", timestamp: iso(NOW), traits: { email } },
      NOW,
    );

  it("refuses markup in an address", () => {
    expect(issuesOf(identify('"><svg/onload=alert(1)>@x.com'))).toEqual(["traits.email:invalid_format"]);
    expect(issuesOf(identify("a@b.com<script>"))).toEqual(["traits.email:invalid_format"]);
    expect(issuesOf(identify("a,b@x.com"))).toEqual(["traits.email:invalid_format"]);
  });

  it("keeps real addresses: apostrophes in the local part, plus tags, international letters", () => {
    for (const email of ["o'brien@example.com", "ann+news@example.com", "jöran@exämple.se"]) {
      expect(eventOf(identify(email)).traits?.email).toBe(email);
    }
  });
});

describe("a JSON array of events in one record", () => {
  it("decodes each element on its own; a bad one is named by its index", () => {
    const data = bytes([
      { ...view, timestamp: iso(NOW - 3_000) },
      { ...view, timestamp: "not a time" },
      { ...view, messageId: "own-id", timestamp: iso(NOW - 1_000) },
    ]);
    const hash = createHash("sha256").update(data).digest("hex");

    const decoded = decodeEventBytes(data, { now: NOW });

    expect(decoded.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(decoded.map((d) => (d.result.ok ? d.result.event.messageId : d.result.error.message))).toEqual([
      `derived-${hash}-0`,
      '[1].timestamp: expected an ISO-8601 date-time with an offset (got "not a time")',
      "own-id",
    ]);
    expect(JSON.parse(new TextDecoder().decode(decoded[1]?.raw))).toMatchObject({ timestamp: "not a time" });
  });

  it(`refuses an empty array and one over ${EVENTS_PER_RECORD_MAX} events as a whole`, () => {
    const tooMany = Array.from({ length: EVENTS_PER_RECORD_MAX + 1 }, () => view);
    for (const value of [[], tooMany]) {
      const decoded = decodeEventBytes(bytes(value), { now: NOW });
      expect(decoded.map((d) => [d.index, issuesOf(d.result)])).toEqual([[undefined, [":too_big"]]]);
    }
  });

  it("reads invalid UTF-8 the same way for a record and for the HTTP API's check", () => {
    const data = Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]);
    expect(issuesOf(only(decodeEventBytes(data, { now: NOW })))).toEqual([":utf8"]);
    expect(issuesOf(decodeEvent(data, NOW))).toEqual([":utf8"]);
  });
});
