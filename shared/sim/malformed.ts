import { buildCatalog } from "./catalog.js";
import { customerId } from "./customers.js";
import { Rng } from "./prng.js";
import { productProperties } from "./segment-events.js";

/** The ways a malformed record is broken, each one seen from real apps. */
export const MALFORMED_KINDS = [
  /** Truncated mid-record: not JSON at all. */
  "not_json",
  /** An email trait that is no address (a sign-up form's half-typed field). */
  "bad_email",
  /** `properties.price` is `"abc"`. */
  "bad_price",
  /** Latin-1 bytes where UTF-8 is required. */
  "invalid_utf8",
  /** A `track` call without its `event` name. */
  "track_without_event",
  /** Neither `userId` nor `anonymousId`. */
  "missing_ids",
  /** A timestamp no parser understands. */
  "bad_timestamp",
] as const;

export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** A bad record with what is wrong with it, for demos and tests. */
export interface MalformedRecord {
  readonly kind: MalformedKind;
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();

/** Encodes text whose characters are all below U+0100 as ISO-8859-1, one byte each. */
function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

/**
 * `n` malformed records cycling through {@link MALFORMED_KINDS}, with content varied by `seed`. Each is
 * built from a realistic `Product Viewed` event and broken in exactly one way.
 */
export function malformedRecords(seed: number, n: number): MalformedRecord[] {
  const rng = Rng.derive(seed, "malformed");
  const catalog = buildCatalog(seed);
  const records: MalformedRecord[] = [];
  for (let i = 0; i < n; i++) {
    const kind = MALFORMED_KINDS[i % MALFORMED_KINDS.length] ?? "not_json";
    const userId = customerId(rng.intBetween(1, 1_000));
    const product = rng.pick(catalog);
    const properties = productProperties(product);
    const event: Record<string, unknown> = {
      type: "track",
      messageId: `bad-${seed}-${i}`,
      userId,
      event: "Product Viewed",
      properties,
      timestamp: new Date(Date.UTC(2025, 0, 1) + rng.int(86_400_000)).toISOString(),
    };
    switch (kind) {
      case "bad_email":
        event.context = { traits: { email: `${userId}@` } };
        break;
      case "bad_price":
        event.properties = { ...properties, price: "abc" };
        break;
      case "invalid_utf8":
        event.properties = { ...properties, name: `Café ${product.name}` };
        break;
      case "track_without_event":
        delete event.event;
        break;
      case "missing_ids":
        delete event.userId;
        break;
      case "bad_timestamp":
        event.timestamp = "yesterday at noon";
        break;
      case "not_json":
        break;
    }
    const text = JSON.stringify(event);
    const data =
      kind === "not_json"
        ? encoder.encode(text.slice(0, rng.intBetween(10, text.length - 2)))
        : kind === "invalid_utf8"
          ? latin1(text)
          : encoder.encode(text);
    records.push({ kind, partitionKey: userId, data });
  }
  return records;
}

/** `n` raw payloads that are bad in realistic ways (see {@link MALFORMED_KINDS}), for demos. */
export function malformed(seed: number, n: number): Uint8Array[] {
  return malformedRecords(seed, n).map((r) => r.data);
}
