import { createHash } from "node:crypto";

/**
 * The customer's hash as the audit log and tombstones keep it: SHA-256 of the customer id, hex. It names the
 * customer without holding the id, so it outlives an erasure.
 */
export function customerHash(customerId: string): string {
  return createHash("sha256").update(customerId, "utf8").digest("hex");
}
