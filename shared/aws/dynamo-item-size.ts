import type { AttributeValue } from "@aws-sdk/client-dynamodb";

const utf8 = new TextEncoder();

/** UTF-8 byte length of a string, as DynamoDB counts it. */
function stringBytes(value: string): number {
  return utf8.encode(value).byteLength;
}

/**
 * Size of a DynamoDB number: one byte per two significant digits plus one (leading and trailing zeroes trimmed).
 */
function numberBytes(value: string): number {
  const digits = value
    .replace(/^[-+]/, "")
    .replace(/[eE].*$/, "")
    .replace(".", "");
  const significant = digits.replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(significant.length, 1) / 2) + 1;
}

/** Size in bytes of one attribute value, by DynamoDB's item size rules. */
export function attributeValueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return stringBytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + stringBytes(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) {
    return value.L.reduce((sum, element) => sum + 1 + attributeValueBytes(element), 3);
  }
  if (value.M !== undefined) {
    return Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + stringBytes(name) + attributeValueBytes(element),
      3,
    );
  }
  return 0;
}

/** Size in bytes of a whole item: attribute names plus values. */
export function itemSizeBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + stringBytes(name) + attributeValueBytes(value),
    0,
  );
}

/**
 * Write request units billed for a write: one per started KB of the larger of the item before and after
 * (a put over an existing item, or an update). A new item counts its own size only.
 */
export function writeUnitsFor(beforeBytes: number, afterBytes: number): number {
  return Math.max(1, Math.ceil(Math.max(beforeBytes, afterBytes) / 1024));
}
