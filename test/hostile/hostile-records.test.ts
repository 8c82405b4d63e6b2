import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  FUTURE_TOLERANCE_MS,
  JSON_DEPTH_MAX,
  type ParseResult,
  RECORD_BYTES_MAX,
  type TailorEvent,
} from "#shared/domain/events/index.js";
import { OTHER_EVENT_NAME } from "#shared/domain/profile/profile.js";
import {
  expectPrototypeUntouched,
  hostileRecord,
  ingestAmongValid,
  NOW,
  validView,
} from "./hostile-batch.js";

const encoder = new TextEncoder();

function decode(value: Uint8Array | string | Record<string, unknown>): ParseResult {
  const bytes =
    value instanceof Uint8Array
      ? value
      : encoder.encode(typeof value === "string" ? value : JSON.stringify(value));
  return decodeEvent(bytes, NOW);
}

/** The rules of a refused record (fails the test when the record was accepted). */
function rules(result: ParseResult): string[] {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return result.error.issues.map((issue) => `${issue.path}:${issue.rule}`);
}

function accepted(result: ParseResult): TailorEvent {
  if (!result.ok) throw new Error(`expected an event, got ${result.error.message}`);
  return result.event;
}

/** A view of `hostile-1` whose properties are replaced by `properties`. */
function viewWith(properties: Record<string, unknown>, n = 1): Record<string, unknown> {
  return { ...validView("hostile-1", n), properties };
}

/** JSON text of a view with `properties` spliced in as raw text (for literals JSON.stringify cannot write). */
function viewText(propertiesJson: string, timestampJson = String(NOW - 60_000)): string {
  return `{"type":"track","event":"Product Viewed","messageId":"raw-${Math.random()}","userId":"hostile-1","timestamp":${timestampJson},"properties":${propertiesJson}}`;
}

describe("oversized records", () => {
  it("refuses a record over 1 MiB before reading it, and keeps every valid record of the batch", async () => {
    // Prepare: valid JSON, valid event, one byte over the limit
    const event = viewWith({ product_id: "p", note: "" });
    const padding = RECORD_BYTES_MAX + 1 - encoder.encode(JSON.stringify(event)).byteLength;
    const oversized = encoder.encode(
      JSON.stringify(viewWith({ product_id: "p", note: "x".repeat(padding) })),
    );
    expect(oversized.byteLength).toBe(RECORD_BYTES_MAX + 1);
    // Act
    const outcome = await ingestAmongValid([hostileRecord(oversized)]);
    // Assess
    expect(rules(decode(oversized))).toEqual([":size"]);
    expect(outcome.summary).toMatchObject({ quarantined: 1, events: 4 });
    expect(outcome.quarantine.records[0]?.reason).toContain("the limit is 1048576 bytes (1 MiB)");
    expect(outcome.quarantine.records[0]?.raw.byteLength).toBe(RECORD_BYTES_MAX + 1);
    expect(outcome.profile("hostile-1")).toBeUndefined();
  });

  it("accepts a record of exactly 1 MiB and drops the free-form value too long to keep", () => {
    const event = viewWith({ product_id: "p", note: "" });
    const padding = RECORD_BYTES_MAX - encoder.encode(JSON.stringify(event)).byteLength;
    const atLimit = encoder.encode(JSON.stringify(viewWith({ product_id: "p", note: "x".repeat(padding) })));
    expect(atLimit.byteLength).toBe(RECORD_BYTES_MAX);
    const decoded = accepted(decode(atLimit));
    expect(decoded.kind).toBe("product_viewed");
    expect(JSON.stringify(decoded).length).toBeLessThan(1000);
  });
});

describe("deeply nested JSON", () => {
  it.each([
    ["arrays", (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`],
    ["objects", (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`],
  ])("refuses %s nested 100 000 deep without parsing them (no stack overflow)", async (_what, nest) => {
    const text = viewText(`{"product_id":"p","deep":${nest(100_000)}}`);
    expect(rules(decode(text))).toEqual([":depth"]);
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary).toMatchObject({ quarantined: 1, events: 4 });
  });

  it("draws the line at the documented depth: 32 levels pass, 33 are refused", () => {
    // The record is depth 1 and its properties depth 2: the nested value adds the rest
    const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const at = accepted(decode(viewText(`{"product_id":"p","deep":${nested(JSON_DEPTH_MAX - 2)}}`)));
    expect(at.kind).toBe("product_viewed");
    expect(rules(decode(viewText(`{"product_id":"p","deep":${nested(JSON_DEPTH_MAX - 1)}}`)))).toEqual([
      ":depth",
    ]);
  });

  it("does not count brackets inside strings (escaped quotes included) as nesting", () => {
    const brackets = `${"[{".repeat(5000)}\\"${"]}".repeat(5000)}`;
    const event = accepted(decode(viewText(`{"product_id":"p","name":"${brackets.slice(0, 500)}"}`)));
    expect(event.kind === "product_viewed" && event.product.name?.startsWith("[{[{")).toBe(true);
  });
});

describe("invalid UTF-8", () => {
  const valid = encoder.encode(JSON.stringify(viewWith({ product_id: "p", name: "café" })));
  const splice = (bytes: readonly number[]) => {
    // Replace the "é" (2 bytes) of the name with the hostile bytes
    const at = valid.findIndex((byte, i) => byte === 0xc3 && valid[i + 1] === 0xa9);
    return Uint8Array.from([...valid.subarray(0, at), ...bytes, ...valid.subarray(at + 2)]);
  };

  it.each([
    ["a stray 0xFF byte", [0xff]],
    ["a lone continuation byte", [0x80]],
    ["an overlong '/' (0xC0 0xAF)", [0xc0, 0xaf]],
    ["a UTF-8-encoded surrogate (0xED 0xA0 0x80)", [0xed, 0xa0, 0x80]],
    ["a truncated 3-byte sequence", [0xe2, 0x82]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ])("refuses %s with a utf8 error and keeps the valid records", async (_what, bytes) => {
    const hostile = splice(bytes);
    expect(rules(decode(hostile))).toEqual([":utf8"]);
    const outcome = await ingestAmongValid([hostileRecord(hostile)]);
    expect(outcome.summary.quarantined).toBe(1);
    expect(outcome.quarantine.records[0]?.reason).toBe("not valid UTF-8: the record holds malformed bytes");
  });

  it("turns a lone surrogate sent as a JSON escape into U+FFFD, in values and keys", () => {
    const text = `{"type":"identify","messageId":"m-sur","userId":"hostile-1","timestamp":${NOW},"traits":{"first_name":"Jo\\ud800","nick\\udc00":"x\\udbff"}}`;
    const event = accepted(decode(text));
    expect(event.traits?.first_name).toBe("Jo\uFFFD");
    expect(event.traits?.custom).toEqual({ "nick\uFFFD": "x\uFFFD" });
    // A well-formed pair is left as it is
    const pair = accepted(decode(text.replace("Jo\\ud800", "Jo\\ud83d\\ude00")));
    expect(pair.traits?.first_name).toBe("Jo😀");
  });
});

describe("prototype-pollution keys", () => {
  const poison = () =>
    JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}',
    );

  it("drops __proto__, constructor and prototype at every level and never touches Object.prototype", async () => {
    // Prepare: poison keys at the top, in properties, in a product, in traits, context.traits and deep values
    const raw: Record<string, unknown> = {
      ...poison(),
      type: "track",
      event: "Order Completed",
      messageId: "poisoned-order",
      userId: "hostile-1",
      timestamp: new Date(NOW - 60_000).toISOString(),
      properties: {
        ...poison(),
        order_id: "o-1",
        total: 20,
        currency: "EUR",
        products: [{ ...poison(), product_id: "p-9", category: "books", price: 20, quantity: 1 }],
        nested: { a: [{ ...poison(), b: poison() }] },
      },
      context: { ...poison(), traits: { ...poison(), first_name: "Mallory", isAdmin: true } },
    };
    const text = JSON.stringify(raw);
    expect(text).toContain('"__proto__":{"polluted":true}');
    // Act
    const event = accepted(decode(text));
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    // Assess
    expect(JSON.stringify(event)).not.toMatch(/__proto__|constructor|prototype|polluted/);
    expect(event.traits?.custom).toEqual({ isAdmin: true });
    const profile = outcome.profile("hostile-1");
    expect(profile?.o).toMatchObject({ n: 1, r: 2000, c: "EUR", k: { books: 1 } });
    expect(profile?.t?.first_name).toBe("Mallory");
    expect(JSON.stringify(profile)).not.toMatch(/__proto__|constructor|polluted/);
    expectPrototypeUntouched();
  });

  it.each([
    "__proto__",
    "constructor",
    "prototype",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "__defineGetter__",
  ])("keeps every count a number when %s names a custom event, a category or a customer", async (name) => {
    // Prepare: the name as custom event name, product category, order category and customer id
    const custom = { ...validView(name, 1), type: "track", event: name, properties: { [name]: 1 } };
    const viewedIn = {
      ...validView("hostile-2", 2),
      properties: { product_id: "p", category: name, price: 1 },
    };
    const ordered = {
      ...validView("hostile-2", 3),
      event: "Order Completed",
      messageId: `order-${name}`,
      properties: { order_id: "o", total: 5, products: [{ product_id: "p", category: name, price: 5 }] },
    };
    // Act
    const outcome = await ingestAmongValid([
      hostileRecord(custom),
      hostileRecord(viewedIn),
      hostileRecord(ordered),
    ]);
    // Assess: all three folded, maps hold only numbers, and the inherited names are not used as keys
    expect(outcome.summary).toMatchObject({ quarantined: 0, events: 7 });
    const byName = outcome.profile(name);
    expect(byName?.customerId).toBe(name);
    expect(byName?.k.cx?.n).toBe(1);
    expect(byName?.x).toEqual({ [OTHER_EVENT_NAME]: 1 });
    const other = outcome.profile("hostile-2");
    expect(other?.o?.n).toBe(1);
    for (const map of [byName?.x, other?.o?.k, other?.a?.s]) {
      for (const [key, value] of Object.entries(map ?? {})) {
        expect(typeof value, key).toBe("number");
        expect(key).not.toBe(name);
      }
    }
  });
});

describe("huge and odd numbers", () => {
  it.each([
    ["1e309 (Infinity once parsed)", '{"product_id":"p","price":1e309}', "properties.price:type"],
    ["-1e309", '{"product_id":"p","price":-1e309}', "properties.price:type"],
    ['"NaN" text', '{"product_id":"p","price":"NaN"}', "properties.price:type"],
    ['"Infinity" text', '{"product_id":"p","price":"Infinity"}', "properties.price:type"],
    ["a 400-digit numeric text", `{"product_id":"p","price":"${"9".repeat(400)}"}`, "properties.price:type"],
    ["2^64 as a price", '{"product_id":"p","price":18446744073709551616}', "properties.price:too_big"],
    ["a negative price", '{"product_id":"p","price":-0.01}', "properties.price:too_small"],
    ["1e309 as a quantity", '{"product_id":"p","quantity":1e309}', "properties.quantity:type"],
    ["a fractional quantity", '{"product_id":"p","quantity":1.5}', "properties.quantity:type"],
  ])("refuses %s with an error naming the field", async (_what, properties, rule) => {
    const text = viewText(properties);
    expect(rules(decode(text))).toEqual([rule]);
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary.quarantined).toBe(1);
  });

  it("reads -0 as a price of 0, never as a negative amount", () => {
    const event = accepted(decode(viewText('{"product_id":"p","price":-0}')));
    expect(event.kind === "product_viewed" && Object.is(event.product.price, 0)).toBe(true);
  });

  it("keeps an integer literal beyond 2^53 as its exact text and drops a non-finite or unstorable value", () => {
    const event = accepted(
      decode(
        `{"type":"track","event":"Points Earned","messageId":"m-n","userId":"hostile-1","timestamp":${NOW},"properties":{"points":1e309,"big":18446744073709551616,"huge":1e300,"tiny":1e-200,"ok":3}}`,
      ),
    );
    expect(event.kind === "custom" && event.properties).toEqual({ big: "18446744073709551616", ok: 3 });
  });

  it("refuses an order total of 2^64 in an order, and the batch's valid records still land", async () => {
    const order = {
      ...validView("hostile-1", 1),
      event: "Order Completed",
      properties: { order_id: "o", total: 2 ** 64 },
    };
    expect(rules(decode(order))).toEqual(["properties.total:too_big"]);
    const outcome = await ingestAmongValid([hostileRecord(order)]);
    expect(outcome.summary.quarantined).toBe(1);
  });
});

describe("timestamps far from now", () => {
  it.each([
    ["Infinity (1e309)", "1e309", "timestamp:range"],
    ["one millisecond past the largest Date (8.64e15 + 1)", "8640000000000001", "timestamp:range"],
    ["the epoch", '"1970-01-01T00:00:00Z"', "timestamp:range"],
    ["before 2000", '"1999-12-31T23:59:59.999Z"', "timestamp:range"],
    ["-Infinity", "-1e309", "timestamp:range"],
    ["epoch seconds instead of milliseconds", String(Math.floor(NOW / 1000)), "timestamp:range"],
    ["an expanded year (+275760)", '"+275760-09-13T00:00:00Z"', "timestamp:format"],
    ["year zero", '"0000-01-01T00:00:00Z"', "timestamp:format"],
    ["no offset (ambiguous local time)", '"2026-11-23T11:00:00"', "timestamp:format"],
    ["February 30th", '"2026-02-30T00:00:00Z"', "timestamp:format"],
    ["NaN as text", '"NaN"', "timestamp:format"],
  ])("refuses %s: a clear error, never a clamp", async (_what, timestamp, rule) => {
    const text = viewText('{"product_id":"p"}', timestamp);
    expect(rules(decode(text))).toEqual([rule]);
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary.quarantined).toBe(1);
    expect(outcome.profile("hostile-1")).toBeUndefined();
  });

  it("accepts the documented edges as they are: 2000-01-01 and exactly 5 minutes ahead (device clock skew)", () => {
    const earliest = accepted(decode(viewText('{"product_id":"p"}', '"2000-01-01T00:00:00Z"')));
    expect(earliest.timestamp).toBe(Date.UTC(2000, 0, 1));
    const ahead = accepted(decode(viewText('{"product_id":"p"}', String(NOW + FUTURE_TOLERANCE_MS))));
    expect(FUTURE_TOLERANCE_MS).toBe(5 * 60_000);
    expect(ahead.timestamp).toBe(NOW + FUTURE_TOLERANCE_MS);
    expect(ahead.clockSkewMs).toBeUndefined();
  });

  it.each([
    ["one millisecond past the tolerance", String(NOW + FUTURE_TOLERANCE_MS + 1), FUTURE_TOLERANCE_MS + 1],
    ["23 hours ahead", String(NOW + 23 * 3_600_000), 23 * 3_600_000],
    ["the year 9999", '"9999-12-31T23:59:59Z"', Date.UTC(9999, 11, 31, 23, 59, 59) - NOW],
    ["the largest Date (8.64e15)", "8.64e15", 8.64e15 - NOW],
  ])("clamps %s to the time received and says how far ahead it was", async (_what, timestamp, skew) => {
    const text = viewText('{"product_id":"p"}', timestamp);
    const event = accepted(decode(text));
    expect(event.timestamp).toBe(NOW);
    expect(event.clockSkewMs).toBe(skew);
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary.quarantined).toBe(0);
    expect(outcome.profile("hostile-1")?.sk).toEqual({ n: 1, ms: skew, at: NOW });
  });

  it("says which unit it expected when epoch seconds were sent", () => {
    const result = decode(viewText('{"product_id":"p"}', String(Math.floor(NOW / 1000))));
    expect(result.ok ? "" : result.error.message).toContain("epoch seconds? send milliseconds");
  });
});

describe("a batch of every hostile kind at once", () => {
  it("quarantines each with its reason and folds every valid record", async () => {
    const hostile = [
      hostileRecord(Uint8Array.from([0x7b, 0xff, 0x7d])),
      hostileRecord(`${"[".repeat(50)}${"]".repeat(50)}`),
      hostileRecord(viewText('{"product_id":"p","price":1e309}')),
      hostileRecord(viewText('{"product_id":"p"}', '"1999-01-01T00:00:00Z"')),
      hostileRecord('{"type":"track"'),
      hostileRecord("null"),
      hostileRecord(new Uint8Array(0)),
    ];
    const outcome = await ingestAmongValid(hostile);
    expect(outcome.summary).toMatchObject({ records: 11, events: 4, quarantined: 7 });
    expect(outcome.quarantine.records.map((record) => record.issues.map((i) => i.rule).join())).toEqual([
      "utf8",
      "depth",
      "type",
      "range",
      "json",
      "type",
      "json",
    ]);
  });
});
