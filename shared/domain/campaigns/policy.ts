import type { Profile } from "../profile/index.js";
import { assign } from "./assignment.js";
import type { LedgerEntry, SendDecision, SendIntent } from "./contracts.js";
import type { CampaignDefinition } from "./definition.js";
import { exited } from "./exit.js";
import { cappedReason } from "./frequency-cap.js";
import { variantsOf } from "./library.js";
import { quietUntil } from "./quiet-hours.js";
import { formatMinuteOfDay, isTimeZone, localTimeAt } from "./time-zone.js";

/** Why the customer cannot receive email of the campaign's purpose at all, or undefined. */
function reachability(campaign: CampaignDefinition, profile: Profile): string | undefined {
  if (profile.t?.email === undefined || profile.t.email === "") return "no email address";
  const s = profile.s;
  if (s?.hard_bounce !== undefined) return "suppressed: hard bounce";
  if (s?.complaint !== undefined) return "suppressed: complaint";
  if (campaign.purpose === "marketing") {
    if (s?.unsubscribe !== undefined) return "suppressed: unsubscribed";
    const consent = profile.c?.marketing_email;
    if (consent === undefined) return "no consent: marketing_email not granted";
    if (!consent.g) return "no consent: marketing_email withdrawn";
  } else if (profile.c?.transactional_email?.g === false) {
    return "no consent: transactional_email withdrawn";
  }
  return undefined;
}

/** The zone quiet hours are read in: the customer's `timezone` trait when valid, else the policy's default. */
export function customerTimeZone(profile: Profile, defaultTimeZone: string): string {
  const zone = profile.t?.timezone;
  return zone !== undefined && isTimeZone(zone) ? zone : defaultTimeZone;
}

/**
 * The policy at send time, in this order (the first that applies decides):
 * 1. no email address → skip; 2. suppressed (hard bounce, complaint; unsubscribe for marketing) → skip;
 * 3. consent for the purpose (marketing needs `marketing_email` granted; transactional is refused only by an
 *    explicit `transactional_email` withdrawal) → skip; 4. journey exited → skip (`exited: Order Completed`);
 * 5. frequency cap of the purpose reached → skip (`capped: 3 marketing emails in 7 days`); 6. quiet hours in
 * the customer's zone → defer to the first allowed minute (`quiet hours until 08:00 Europe/Paris`);
 * 7. holdout → holdout; 8. send the assigned variant.
 * `recentLedger` holds the customer's ledger entries of at least the cap window.
 */
export function decideSend(
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  recentLedger: readonly LedgerEntry[],
  now: number,
): SendDecision {
  const step = campaign.steps[intent.step];
  if (step === undefined)
    return { kind: "skip", reason: `no step ${intent.step} in ${campaign.id} v${campaign.version}` };
  const unreachable = reachability(campaign, profile);
  if (unreachable !== undefined) return { kind: "skip", reason: unreachable };
  const exit = exited(intent, campaign, profile, now);
  if (exit !== undefined) return { kind: "skip", reason: exit };
  const { frequencyCap, quietHours } = campaign.policy;
  if (frequencyCap !== undefined) {
    const capped = cappedReason(
      recentLedger,
      intent.customerId,
      campaign.purpose,
      frequencyCap,
      now,
      intent.key,
    );
    if (capped !== undefined) return { kind: "skip", reason: capped };
  }
  if (quietHours !== undefined) {
    const zone = customerTimeZone(profile, quietHours.defaultTimeZone);
    const until = quietUntil(quietHours, now, zone);
    if (until !== undefined) {
      const local = localTimeAt(until, zone);
      const at = local === undefined ? quietHours.end : formatMinuteOfDay(local.hour * 60 + local.minute);
      return { kind: "defer", until, reason: `quiet hours until ${at} ${zone}` };
    }
  }
  const assignment = assign(
    campaign.experiment,
    intent.customerId,
    campaign.holdout,
    variantsOf(campaign, step),
  );
  if (assignment.kind === "holdout") {
    return { kind: "holdout", reason: `holdout: ${Math.round(campaign.holdout * 100)} % control group` };
  }
  return { kind: "send", variant: assignment.variant.id };
}

/**
 * Intents in the order to decide them when several are due together: higher campaign priority first, then
 * earlier due, then key. Deciding in this order is how priority works under the cap: the cap counts every
 * campaign and no campaign exceeds it, so the higher-priority campaign takes the last slot.
 */
export function byPriority(
  intents: readonly SendIntent[],
  priorityOf: (campaignId: string) => number,
): SendIntent[] {
  return [...intents].sort(
    (a, b) =>
      priorityOf(b.campaignId) - priorityOf(a.campaignId) ||
      a.dueAt - b.dueAt ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}
