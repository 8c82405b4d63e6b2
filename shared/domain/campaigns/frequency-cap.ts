import type { Channel, LedgerEntry, SendIntent, SendPurpose } from "./contracts.js";
import type { FrequencyCap } from "./definition.js";

const UNITS = { m: "minute", h: "hour", d: "day" } as const;

/** `7d` → `7 days`, `1d` → `1 day`, `24h` → `24 hours`. */
export function durationInWords(text: string): string {
  const match = /^(\d+)([mhd])$/.exec(text);
  const unit = match?.[2];
  if (match === null || (unit !== "m" && unit !== "h" && unit !== "d")) return text;
  const amount = Number(match[1]);
  return `${amount} ${UNITS[unit]}${amount === 1 ? "" : "s"}`;
}

/**
 * Emails of `purpose` sent to the customer in the rolling window `(now − per, now]`: every campaign counts,
 * and only `sent` entries (holdouts, skips, deferrals and failures do not). The send being decided (`key`) is
 * left out, so re-deciding it after a crash does not count it against itself.
 */
export function sentInWindow(
  ledger: readonly LedgerEntry[],
  customerId: string,
  purpose: SendPurpose,
  cap: FrequencyCap,
  now: number,
  key: string,
): number {
  return ledger.filter(
    (entry) =>
      entry.customerId === customerId &&
      entry.outcome === "sent" &&
      entry.purpose === purpose &&
      entry.key !== key &&
      entry.at > now - cap.perMs &&
      entry.at <= now,
  ).length;
}

/**
 * Why the cap stops this send, or undefined when there is room. Every channel counts: `capped: 3 marketing
 * emails in 7 days` when all were emails, `capped: 3 marketing sends (2 emails, 1 SMS) in 7 days` otherwise.
 */
export function cappedReason(
  ledger: readonly LedgerEntry[],
  customerId: string,
  purpose: SendPurpose,
  cap: FrequencyCap,
  now: number,
  key: string,
): string | undefined {
  const sent = sentInWindow(ledger, customerId, purpose, cap, now, key);
  if (sent < cap.max) return undefined;
  const texts = sentInWindow(
    ledger.filter((entry) => entry.channel === "sms"),
    customerId,
    purpose,
    cap,
    now,
    key,
  );
  const window = durationInWords(cap.per);
  if (texts === 0) return `capped: ${sent} ${purpose} email${sent === 1 ? "" : "s"} in ${window}`;
  const emails = sent - texts;
  return `capped: ${sent} ${purpose} sends (${emails} email${emails === 1 ? "" : "s"}, ${texts} SMS) in ${window}`;
}

/** Why a channel's own cap stops this send (`capped: 1 marketing SMS in 1 day`), or undefined. */
export function channelCappedReason(
  ledger: readonly LedgerEntry[],
  intent: Pick<SendIntent, "customerId" | "key">,
  purpose: SendPurpose,
  channel: Channel,
  cap: FrequencyCap,
  now: number,
): string | undefined {
  const mine = ledger.filter((entry) => (entry.channel ?? "email") === channel);
  const sent = sentInWindow(mine, intent.customerId, purpose, cap, now, intent.key);
  if (sent < cap.max) return undefined;
  const what = channel === "sms" ? "SMS" : `email${sent === 1 ? "" : "s"}`;
  return `capped: ${sent} ${purpose} ${what} in ${durationInWords(cap.per)}`;
}
