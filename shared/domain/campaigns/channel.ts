import type { Profile } from "../profile/index.js";
import { toE164 } from "../sms/e164.js";
import type { Channel, SendPurpose } from "./contracts.js";
import type { Step, WaitNeed } from "./definition.js";

/** Why the customer cannot receive a send of the campaign's purpose on a channel, and what would change it. */
export interface Unreachable {
  readonly reason: string;
  /** What, arriving later, would lift it; undefined for a suppression, which no journey waits out. */
  readonly need?: WaitNeed;
}

/** Why the customer cannot receive email of `purpose` at all, or undefined. */
export function emailReachability(purpose: SendPurpose, profile: Profile): Unreachable | undefined {
  if (profile.t?.email === undefined || profile.t.email === "")
    return { reason: "no email address", need: "email" };
  const s = profile.s;
  if (s?.hard_bounce !== undefined) return { reason: "suppressed: hard bounce" };
  if (s?.complaint !== undefined) return { reason: "suppressed: complaint" };
  if (purpose === "marketing") {
    if (s?.unsubscribe !== undefined) return { reason: "suppressed: unsubscribed" };
    const consent = profile.c?.marketing_email;
    if (consent === undefined) return { reason: "no consent: marketing_email not granted", need: "consent" };
    if (!consent.g) return { reason: "no consent: marketing_email withdrawn", need: "consent" };
  } else if (profile.c?.transactional_email?.g === false) {
    return { reason: "no consent: transactional_email withdrawn", need: "consent" };
  }
  return undefined;
}

/**
 * Why the customer cannot receive a text of `purpose`, or undefined: a phone trait in E.164 is needed, a
 * permanent SMS failure suppresses, marketing needs `sms` consent granted (opt-in: texts cost the recipient's
 * attention more than email, and carriers require it), transactional is refused only by an explicit withdrawal
 * (a STOP reply withdraws it for both).
 */
export function smsReachability(purpose: SendPurpose, profile: Profile): Unreachable | undefined {
  const phone = profile.t?.phone;
  if (phone === undefined || phone === "") return { reason: "no phone number" };
  if (toE164(phone) === undefined) return { reason: "phone number not in E.164 (+ and country code)" };
  if (profile.s?.sms_failed !== undefined) return { reason: `suppressed: SMS ${profile.s.sms_failed.r}` };
  const consent = profile.c?.sms;
  if (consent?.g === false) {
    return { reason: `no consent: sms withdrawn${consent.src === undefined ? "" : ` (${consent.src})`}` };
  }
  if (purpose === "marketing" && consent === undefined) return { reason: "no consent: sms not granted" };
  return undefined;
}

/** The channel a step goes out on for this customer, or why it cannot go out. */
export type ChannelChoice =
  | { readonly kind: "channel"; readonly channel: Channel }
  | { readonly kind: "unreachable"; readonly unreachable: Unreachable };

/**
 * The channel of a step for a customer: `email` and `sms` steps need their channel; `email-else-sms` takes email
 * when the customer can receive it, else SMS, and when neither, says why for both (the email's need kept, so a
 * journey that waits for an address or consent still waits).
 */
export function chooseChannel(step: Step, purpose: SendPurpose, profile: Profile): ChannelChoice {
  const channel = step.channel ?? "email";
  if (channel === "sms") {
    const sms = smsReachability(purpose, profile);
    return sms === undefined
      ? { kind: "channel", channel: "sms" }
      : { kind: "unreachable", unreachable: sms };
  }
  const email = emailReachability(purpose, profile);
  if (email === undefined) return { kind: "channel", channel: "email" };
  if (channel === "email") return { kind: "unreachable", unreachable: email };
  const sms = smsReachability(purpose, profile);
  if (sms === undefined) return { kind: "channel", channel: "sms" };
  return {
    kind: "unreachable",
    unreachable: {
      reason: `${email.reason}; SMS: ${sms.reason}`,
      ...(email.need === undefined ? {} : { need: email.need }),
    },
  };
}
