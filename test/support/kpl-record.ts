import { createHash } from "node:crypto";

/** The bytes a KPL-aggregated Kinesis record starts with. */
const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field (wire type 2). */
function lengthDelimited(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(bytes.length), bytes]);
}

/** A varint protobuf field (wire type 0). */
function varintField(field: number, value: number): Buffer {
  return Buffer.concat([varint(field * 8), varint(value)]);
}

/**
 * A KPL-aggregated record, built by hand as the KPL writes it: magic, the protobuf `AggregatedRecord`
 * (`partition_key_table = 1`, `records = 3` of `Record { partition_key_index = 1; data = 3 }`), then its MD5.
 */
export function kplAggregatedRecord(
  records: readonly { partitionKey: string; data: string | Buffer }[],
): Buffer {
  const keys = [...new Set(records.map((r) => r.partitionKey))];
  const body = Buffer.concat([
    ...keys.map((key) => lengthDelimited(1, Buffer.from(key, "utf8"))),
    ...records.map((r) =>
      lengthDelimited(
        3,
        Buffer.concat([
          varintField(1, keys.indexOf(r.partitionKey)),
          lengthDelimited(3, typeof r.data === "string" ? Buffer.from(r.data, "utf8") : r.data),
        ]),
      ),
    ),
  ]);
  return Buffer.concat([KPL_MAGIC, body, createHash("md5").update(body).digest()]);
}
