import { createHash } from "node:crypto";

/** SHA-256 of the customer id, hex: how audit entries and tombstones name a customer without holding the id. */
export function customerHash(customerId: string): string {
  return createHash("sha256").update(customerId, "utf8").digest("hex");
}

/** Prefix of a tombstone's key in the profiles table. */
export const TOMBSTONE_PREFIX = "tomb#";

/** The profiles-table key of the customer's tombstone: `tomb#<sha256(customerId)>`. */
export function tombstoneKey(customerId: string): string {
  return `${TOMBSTONE_PREFIX}${customerHash(customerId)}`;
}
