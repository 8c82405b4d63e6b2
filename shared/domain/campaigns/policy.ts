import { openHoursZone, type Profile } from "../profile/index.js";
import { assign } from "./assignment.js";
import type { CatalogFacts } from "./catalog-journeys.js";
import { chooseChannel, type Unreachable } from "./channel.js";
import type { LedgerEntry, SendDecision, SendIntent } from "./contracts.js";
import type { CampaignDefinition, QuietHours } from "./definition.js";
import { exited } from "./exit.js";
import { fatigueCap, fatiguedReason, fatigueOf } from "./fatigue.js";
import { cappedReason, channelCappedReason } from "./frequency-cap.js";
import { variantsOf } from "./library.js";
import type { OpenHourPriorChoice } from "./open-hour-prior.js";
import { quietUntil } from "./quiet-hours.js";
import { bestSendTime, bestTimeReason, openHourPosterior } from "./send-time.js";
import { formatMinuteOfDay, isTimeZone, localTimeAt } from "./time-zone.js";
import { nextWaitCheck, waitDeadline } from "./wait.js";

/**
 * The decision for an email that is due while the customer is unreachable: skip at once, unless the campaign
 * waits for what is missing (`waitFor`) and its window is open; then check again later (deferred), and when
 * the window has closed, skip with the reason and the wait (`no email address (waited 24h)`).
 */
function unreachableDecision(
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  unreachable: Unreachable,
  now: number,
  catalog: CatalogFacts | undefined,
): SendDecision {
  const waitFor = campaign.waitFor;
  if (waitFor === undefined || unreachable.need === undefined || !waitFor.needs.includes(unreachable.need)) {
    return { kind: "skip", reason: unreachable.reason };
  }
  const deadline = waitDeadline(intent, campaign, waitFor);
  if (now >= deadline) return { kind: "skip", reason: `${unreachable.reason} (waited ${waitFor.within})` };
  // A journey that has ended waits for nothing.
  const exit = exited(intent, campaign, profile, now, catalog);
  if (exit !== undefined) return { kind: "skip", reason: exit };
  const dueAt = deadline - waitFor.withinMs;
  return {
    kind: "defer",
    until: nextWaitCheck(dueAt, now, deadline),
    reason: `waiting: ${unreachable.reason} (until ${new Date(deadline).toISOString()})`,
  };
}

/** The zone quiet hours are read in: the customer's `timezone` trait when valid, else the policy's default. */
export function customerTimeZone(profile: Profile, defaultTimeZone: string): string {
  const zone = profile.t?.timezone;
  return zone !== undefined && isTimeZone(zone) ? zone : defaultTimeZone;
}

/** What the policy reads besides the campaign, the customer and the ledger. */
export interface DecideOptions {
  /**
   * The population's open hours, the prior of `sendTime: best` (learned from the population's opens, or the
   * default; its source is named in the deferral's reason). @default DEFAULT_OPEN_HOUR_PRIOR, unnamed
   */
  readonly openHourPrior?: OpenHourPriorChoice;
}

/**
 * For a best-time step: the deferral to the customer's best hour within the window that starts when the step was
 * first due (`startedAt + delay`, so a deferral does not move the window), or undefined when that time has come.
 */
function bestTimeWait(
  intent: SendIntent,
  delayMs: number,
  withinMs: number,
  profile: Profile,
  now: number,
  options: DecideOptions,
  quietHours: QuietHours | undefined,
): SendDecision | undefined {
  const timeZone = openHoursZone(profile);
  const { probabilities, opens } = openHourPosterior(profile, now, options.openHourPrior?.prior);
  const best = bestSendTime({
    probabilities,
    from: intent.startedAt + delayMs,
    withinMs,
    timeZone,
    ...(quietHours === undefined ? {} : { quietHours }),
  });
  if (now >= best.at) return undefined;
  return {
    kind: "defer",
    until: best.at,
    reason: bestTimeReason(best, timeZone, opens, options.openHourPrior?.source),
  };
}

/**
 * The policy at send time, in this order (the first that applies decides):
 * 0. the step's channel (`chooseChannel`: email, SMS, or email else SMS); for SMS, 1–3 read the phone number,
 *    the SMS suppression and `sms` consent instead;
 * 1. no email address → skip; 2. suppressed (hard bounce, complaint; unsubscribe for marketing) → skip;
 * 3. consent for the purpose (marketing needs `marketing_email` granted; transactional is refused only by an
 *    explicit `transactional_email` withdrawal) → skip; a campaign whose `waitFor` names the missing email or
 *    consent defers instead (`waiting: no email address (until …)`) and re-checks until its window closes,
 *    then skips (`no email address (waited 24h)`); 4. journey exited → skip (`exited: Order Completed`);
 * 5. with a `fatigue` policy, a fatigued customer and a priority below its floor → skip (`fatigued: score 0.85: …`);
 * frequency cap of the purpose reached, every channel counted (lowered for a tired customer) → skip (`capped: 3
 * marketing emails in 7 days`), then the step channel's own cap (`capped: 1 marketing SMS in 1 day`) → skip;
 * 6. quiet hours in
 * the customer's zone → defer to the first allowed minute (before it, a `sendTime: best` step or variant waits for
 * the customer's best hour: `best time: 19:00 Europe/Paris (from 7 opens)`) (`quiet hours until 08:00 Europe/Paris`);
 * 7. holdout → holdout; 8. send the assigned variant.
 * `recentLedger` holds the customer's ledger entries of at least the cap window; `catalog` is what the catalog
 * says now of a catalog journey's product (its exit conditions).
 */
export function decideSend(
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  recentLedger: readonly LedgerEntry[],
  now: number,
  catalog?: CatalogFacts,
  options: DecideOptions = {},
): SendDecision {
  const step = campaign.steps[intent.step];
  if (step === undefined)
    return { kind: "skip", reason: `no step ${intent.step} in ${campaign.id} v${campaign.version}` };
  const choice = chooseChannel(step, campaign.purpose, profile);
  if (choice.kind === "unreachable")
    return unreachableDecision(intent, campaign, profile, choice.unreachable, now, catalog);
  const { channel } = choice;
  const exit = exited(intent, campaign, profile, now, catalog);
  if (exit !== undefined) return { kind: "skip", reason: exit };
  const { frequencyCap, quietHours } = campaign.policy;
  const fatigue = campaign.policy.fatigue === undefined ? undefined : fatigueOf(profile);
  if (fatigue !== undefined) {
    const fatigued = fatiguedReason(campaign, fatigue);
    if (fatigued !== undefined) return { kind: "skip", reason: fatigued };
  }
  if (frequencyCap !== undefined) {
    const cap =
      fatigue === undefined || campaign.policy.fatigue?.lowerCap !== true
        ? frequencyCap
        : fatigueCap(frequencyCap, fatigue);
    const capped = cappedReason(recentLedger, intent.customerId, campaign.purpose, cap, now, intent.key);
    if (capped !== undefined) {
      const lowered =
        cap.max < frequencyCap.max ? ` (cap lowered from ${frequencyCap.max}: ${fatigue?.level})` : "";
      return { kind: "skip", reason: `${capped}${lowered}` };
    }
  }
  const channelCap = campaign.policy.channelCaps?.[channel];
  if (channelCap !== undefined) {
    const capped = channelCappedReason(recentLedger, intent, campaign.purpose, channel, channelCap, now);
    if (capped !== undefined) return { kind: "skip", reason: capped };
  }
  const assignment = assign(
    campaign.experiment,
    intent.customerId,
    campaign.holdout,
    variantsOf(campaign, step),
  );
  const variantTime = assignment.kind === "variant" ? assignment.variant.sendTime : undefined;
  if (step.sendTime !== undefined && (variantTime ?? step.sendTime.kind) === "best") {
    const waiting = bestTimeWait(
      intent,
      step.delayMs,
      step.sendTime.withinMs,
      profile,
      now,
      options,
      quietHours,
    );
    if (waiting !== undefined) return waiting;
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
  if (assignment.kind === "holdout") {
    return { kind: "holdout", reason: `holdout: ${Math.round(campaign.holdout * 100)} % control group` };
  }
  return {
    kind: "send",
    variant: assignment.variant.id,
    ...(channel === "email" ? {} : { channel }),
  };
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
