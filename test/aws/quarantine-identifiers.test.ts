import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { quarantinedIdentifiers } from "#shared/aws/quarantine-identifiers.js";
import { kplAggregatedRecord } from "../support/kpl-record.js";

const utf8 = (text: string) => Buffer.from(text, "utf8");

describe("quarantinedIdentifiers", () => {
  it("takes the partition key, id fields at any depth and lower-cased emails from JSON", () => {
    const raw = utf8(
      JSON.stringify({
        batch: [
          { type: "alias", previousId: "anon-1", userId: "c-1" },
          { type: "track", user_id: 42, properties: { friend: { anonymous_id: "anon-2" } } },
          { type: "identify", anonymousId: "anon-3", traits: { email: "Ada@Example.COM" }, groupId: "acme" },
          { type: "page", context: { note: "write to bob@example.org or ada@example.com" } },
        ],
      }),
    );

    const found = quarantinedIdentifiers("shard-key", raw);

    expect(new Set(found)).toEqual(
      new Set(["shard-key", "anon-1", "c-1", "42", "anon-2", "anon-3", "ada@example.com", "bob@example.org"]),
    );
  });

  it("finds ids and emails in JSON that does not parse (a truncated event)", () => {
    const raw = utf8('{"type":"identify","userId":"c-7","traits":{"email":"Zoe@example.net","name":"Zo');

    expect(new Set(quarantinedIdentifiers("c-7", raw))).toEqual(new Set(["c-7", "zoe@example.net"]));
  });

  it("reads a KPL-aggregated record: its partition key table and each sub-record", () => {
    const raw = kplAggregatedRecord([
      { partitionKey: "c-1", data: JSON.stringify({ userId: "c-1" }) },
      {
        partitionKey: "c-2",
        data: JSON.stringify({ anonymousId: "anon-9", traits: { email: "c2@example.com" } }),
      },
    ]);

    expect(new Set(quarantinedIdentifiers("c-1", raw))).toEqual(
      new Set(["c-1", "c-2", "anon-9", "c2@example.com"]),
    );
  });

  it("reads a truncated KPL record up to the damage, and scans the rest", () => {
    const whole = kplAggregatedRecord([
      { partitionKey: "pk-alpha", data: JSON.stringify({ traits: { email: "one@example.com" } }) },
      { partitionKey: "pk-beta", data: JSON.stringify({ traits: { email: "two@example.com" } }) },
    ]);
    // Cut the MD5 and the last two bytes (`}}`): the second sub-record's length no longer fits.
    const raw = whole.subarray(0, whole.length - 16 - 2);

    const found = quarantinedIdentifiers("outer", raw);

    expect(new Set(found)).toEqual(
      new Set(["outer", "pk-alpha", "pk-beta", "one@example.com", "two@example.com"]),
    );
  });

  it("opens gzip, and gzip inside a KPL record", () => {
    const zipped = gzipSync(
      utf8(JSON.stringify([{ userId: "c-3" }, { traits: { email: "c4@example.com" } }])),
    );
    const nested = kplAggregatedRecord([{ partitionKey: "k", data: zipped }]);

    expect(new Set(quarantinedIdentifiers("p", zipped))).toEqual(new Set(["p", "c-3", "c4@example.com"]));
    expect(new Set(quarantinedIdentifiers("p", nested))).toEqual(
      new Set(["p", "k", "c-3", "c4@example.com"]),
    );
  });

  it("scans bytes that are not UTF-8 for printable runs holding emails and id fields", () => {
    const raw = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('{"userId":"c-5","traits":{"name":"Ren', "latin1"),
      Buffer.from([0xe9]),
      Buffer.from('e","email":"RENEE@example.com"}}', "latin1"),
    ]);

    expect(new Set(quarantinedIdentifiers("p", raw))).toEqual(new Set(["p", "c-5", "renee@example.com"]));
  });

  it("falls back to scanning a record that has the KPL magic but no valid body", () => {
    const raw = Buffer.concat([
      Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 0x0f, 0xff]),
      utf8(" x ada@example.com "),
    ]);

    expect(quarantinedIdentifiers("p", raw)).toEqual(["p", "ada@example.com"]);
  });
});
