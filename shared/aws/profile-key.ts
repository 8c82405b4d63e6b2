import { customerHash } from "../domain/privacy/customer-hash.js";

/** The partition key attribute of the profiles table. */
export const PROFILE_KEY_ATTRIBUTE = "pk";

/** Prefix of every key in the profiles table: a customer's profile, or its tombstone, at the same key. */
export const PROFILE_KEY_PREFIX = "c#";

/**
 * The profiles-table key of a customer: `c#<sha256(customerId), hex>`. Customer ids come from data, so they never
 * become a key as they are: whatever a producer sends as `userId`, it lands in this namespace, one fixed-length
 * hash per customer, and cannot name another item of the table (a forged `tomb#…` id is just another customer).
 * The key being a hash also lets an erasure leave its tombstone at the profile's own key without keeping the id.
 */
export function profileKey(customerId: string): string {
  return `${PROFILE_KEY_PREFIX}${customerHash(customerId)}`;
}

/** Prefix of the email index entries of the profiles table: `e#<sha256(lower-cased email)>` → its holder. */
export const EMAIL_KEY_PREFIX = "e#";

/** The profiles-table key of an email's index entry (never a customer's key: those start with `c#`). */
export function emailKey(email: string): string {
  return `${EMAIL_KEY_PREFIX}${customerHash(email.trim().toLowerCase())}`;
}

/** Prefix of the phone index entries of the profiles table: `p#<sha256(E.164 number)>` → the customer texted. */
export const PHONE_KEY_PREFIX = "p#";

/** The profiles-table key of a phone number's index entry (never a customer's `c#` or an email's `e#` key). */
export function phoneKey(phone: string): string {
  return `${PHONE_KEY_PREFIX}${customerHash(phone)}`;
}
