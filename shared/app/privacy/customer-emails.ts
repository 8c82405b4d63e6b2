import { toE164 } from "#shared/domain/sms/e164.js";
import type { StoredProfile } from "#shared/ports.js";

/**
 * The email addresses a customer's data may be found under (the quarantine indexes records by email too): the
 * profile's email trait. Read before the profile is deleted; an address the profile no longer holds is not
 * known, nor is any address of a customer without a profile.
 */
export function customerEmails(stored: StoredProfile | undefined): string[] {
  const email = stored?.profile.t?.email;
  return typeof email === "string" && email !== "" ? [email] : [];
}

/**
 * The phone numbers (E.164) the customer may have been texted at, whose phone index entries name them: the
 * profile's phone trait. Read before the profile is deleted.
 */
export function customerPhones(stored: StoredProfile | undefined): string[] {
  const phone = stored?.profile.t?.phone;
  const e164 = typeof phone === "string" ? toE164(phone) : undefined;
  return e164 === undefined ? [] : [e164];
}
