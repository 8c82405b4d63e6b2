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
