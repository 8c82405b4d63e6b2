import { createHash } from "node:crypto";

/**
 * SHA-256 of the customer id, hex: how audit entries name a customer without holding the id, and the profiles
 * table keys its items (`shared/aws/profile-key.ts`).
 */
export function customerHash(customerId: string): string {
  return createHash("sha256").update(customerId, "utf8").digest("hex");
}
