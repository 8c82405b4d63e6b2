import { HOLDOUT_ARM } from "../domain/analytics/index.js";
import type { CatalogFacts } from "../domain/campaigns/catalog-journeys.js";
import type { LedgerEntry, SendIntent } from "../domain/campaigns/contracts.js";
import type { CampaignDefinition } from "../domain/campaigns/definition.js";
import { sendKey } from "../domain/campaigns/journey.js";
import { sendContent, type TemplateCatalog } from "../domain/campaigns/library.js";
import { decideSend } from "../domain/campaigns/policy.js";
import type { Profile } from "../domain/profile/index.js";
import { maskPhone, toE164 } from "../domain/sms/e164.js";
import type { ShortLink } from "../domain/sms/short-links.js";
import { TailorError } from "../errors.js";
import { MailerUnavailableError } from "../mailer-errors.js";
import type { OutgoingEmail, SendAcceptance, ShortLinkStore, StoredProfile } from "../ports.js";
import { shortLinkId, shortLinkUrl, signShortLink } from "../render/short-link-token.js";
import type { SmsLinkShortener } from "../render/sms-templates.js";
import { SmsRejectedError } from "../sms-errors.js";
import { campaignOutcomeKey, utcDayOf } from "./campaign-outcome-key.js";
import { lastShown } from "./content-rotation.js";
import { withCustomerLock } from "./customer-send-lock.js";
import type { DispatchDeps } from "./dispatch-deps.js";
import { DEFAULT_CONTENT_ITEMS, type EmailContextInput, prepareEmailContext } from "./email-context.js";
import { mergedInto } from "./identity/merged-into.js";
import { openHourPriorOf } from "./send-time/cached-open-hour-prior.js";
import { type BackoffOptions, sendWithBackoff } from "./send-with-backoff.js";
import type { SubjectOverrides } from "./subject-override.js";

/** How one intent ended; `retry` fails its message back to the queue. */
export type IntentOutcome =
  | {
      readonly kind: "sent";
      readonly messageId: string;
      /** The variant sent. */
      readonly variant: string;
      /** The customer's lifecycle stage at the send (the experiment report's segment). */
      readonly segment?: string;
      readonly recorded: boolean;
      readonly reason?: string;
    }
  | { readonly kind: "skipped" | "heldOut" | "deferred"; readonly reason: string; readonly segment?: string }
  | {
      readonly kind: "duplicate";
      /** Set when the claim was settled here from SES's acceptance (its sender died before recording it). */
      readonly reason?: string;
    }
  | { readonly kind: "failedPermanent"; readonly reason: string; readonly recorded: boolean }
  | { readonly kind: "retry"; readonly reason: string };

/** Per-batch values every intent shares. */
export interface IntentScope {
  readonly deps: DispatchDeps;
  readonly templates: TemplateCatalog;
  readonly subjects: SubjectOverrides;
  /** Counter writes that failed (experiments, campaign outcomes): the report and the chart undercount them. */
  readonly uncounted: { count: number };
}

const DEFAULT_ATTEMPTS = 4;
const DEFAULT_BASE_MS = 200;

/** The retries of a send (email or text), paced by the dispatch's limiter. */
function backoffOf(deps: DispatchDeps): BackoffOptions {
  const backoff = deps.backoff ?? {};
  return {
    ...backoff,
    maxAttempts: backoff.maxAttempts ?? DEFAULT_ATTEMPTS,
    baseMs: backoff.baseMs ?? DEFAULT_BASE_MS,
    limiter: deps.limiter,
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function entryOf(
  intent: SendIntent,
  campaign: CampaignDefinition | undefined,
  at: number,
  outcome: LedgerEntry["outcome"],
  extra: {
    variant?: string;
    reason?: string;
    messageId?: string;
    contentIds?: readonly string[];
    offerId?: string;
  } = {},
): LedgerEntry {
  return {
    key: intent.key,
    customerId: intent.customerId,
    campaignId: intent.campaignId,
    // A campaign that is gone has no purpose left; only `sent` entries count under caps anyway.
    purpose: campaign?.purpose ?? "marketing",
    priority: campaign?.priority ?? 0,
    at,
    outcome,
    ...extra,
  };
}

/**
 * One intent, following the ledger's protocol: claim → decide (and send) → record. A settled claim (`already`)
 * is a duplicate delivery and does nothing; a claim another attempt holds (`pending`) is retried later. Any
 * retryable failure before the provider accepted the email releases the claim and retries the message. Once the
 * provider may hold the email, the message is never retried: a failure to record then leaves the claim pending
 * (no second send) and is reported, not thrown.
 *
 * A claim retaken after its lease ended (`reclaimed`) belonged to an attempt that died, perhaps after the provider
 * accepted the email: if SES's `Send` event for the send key has been recorded, the send is recorded as sent (with
 * SES's message id) and nothing is sent again.
 */
export async function dispatchIntent(scope: IntentScope, intent: SendIntent): Promise<IntentOutcome> {
  const outcome = await claimDecideSend(scope, intent);
  if (outcome.kind === "merged") return dispatchIntent(scope, outcome.intent);
  if (outcome.kind !== "duplicate" && !(outcome.kind === "skipped" && outcome.reason === UNKNOWN_CUSTOMER)) {
    await forgetIfErased(scope, intent.customerId);
  }
  return outcome;
}

const UNKNOWN_CUSTOMER = "unknown customer: nothing recorded";

/**
 * After an intent wrote to the ledger (a claim, an outcome) or the timers: when the customer's profile is gone,
 * the customer was erased while the intent was handled, so what was written is removed. Erasure replaces the
 * profile before it deletes the ledger and timers, and this check comes after every write: either erasure's
 * deletion saw the write, or this check sees the tombstone. A failing check leaves the items (best effort).
 */
async function forgetIfErased(scope: IntentScope, customerId: string): Promise<void> {
  const { erased, profiles } = scope.deps;
  if (erased === undefined) return;
  try {
    if ((await profiles.get(customerId)) !== undefined) return;
    await Promise.all([erased.ledger.erase(customerId), erased.timers.erase(customerId)]);
  } catch {
    // Left for the next erasure of the customer.
  }
}

/**
 * A journey started under an id that was merged into a known customer since (an anonymous cart, then a login)
 * continues on that customer, once: the intent is re-keyed to the customer it was merged into (its send key then
 * names that customer, so a retry of either intent finds the same ledger entry).
 */
async function followMerge(
  scope: IntentScope,
  intent: SendIntent,
): Promise<{ kind: "merged"; intent: SendIntent } | { kind: "retry"; reason: string } | undefined> {
  const { identities } = scope.deps;
  if (identities === undefined) return undefined;
  try {
    const to = await mergedInto(identities, intent.customerId);
    if (to === undefined) return undefined;
    return {
      kind: "merged",
      intent: {
        ...intent,
        customerId: to,
        key: sendKey(intent.campaignId, to, intent.occurrence, intent.step),
      },
    };
  } catch (error) {
    return { kind: "retry", reason: `identity: ${messageOf(error)}` };
  }
}

async function claimDecideSend(
  scope: IntentScope,
  intent: SendIntent,
): Promise<IntentOutcome | { kind: "merged"; intent: SendIntent }> {
  const { ledger } = scope.deps;
  const now = scope.deps.clock.now();
  // First the profile: for an unknown (or erased) customer nothing is written, not even a claim, so an erasure
  // is never undone by a send that was already queued.
  let stored: StoredProfile | undefined;
  try {
    stored = await scope.deps.profiles.get(intent.customerId);
  } catch (error) {
    return { kind: "retry", reason: `profile: ${messageOf(error)}` };
  }
  if (stored === undefined) {
    const followed = await followMerge(scope, intent);
    return followed === undefined ? { kind: "skipped", reason: UNKNOWN_CUSTOMER } : followed;
  }
  let claim: Awaited<ReturnType<typeof ledger.claim>>;
  try {
    claim = await ledger.claim(intent, now);
  } catch (error) {
    return { kind: "retry", reason: `claim: ${messageOf(error)}` };
  }
  if (claim === "already") return { kind: "duplicate" };
  if (claim === "pending") return { kind: "retry", reason: "another attempt holds the claim" };
  if (claim === "reclaimed") {
    const settled = await settleIfAccepted(scope, intent, stored.profile.lc.s);
    if (settled !== undefined) return settled;
  }
  // A retaken claim is never released: the next attempt must retake it too, and so look for SES's word again (a
  // `Send` event may still be on its way); a fresh claim would not.
  const retaken = claim === "reclaimed";
  try {
    return await decideAndSend(scope, intent, stored, now, retaken);
  } catch (error) {
    if (retaken) return { kind: "retry", reason: messageOf(error) };
    try {
      await ledger.release(intent);
    } catch {
      // The claim stays pending until its lease ends; the retry then takes it over.
    }
    return { kind: "retry", reason: messageOf(error) };
  }
}

/**
 * For a retaken claim: when SES accepted the email of the attempt that died, records it as sent, at SES's time,
 * and resolves the outcome; `undefined` when SES has no record of it (then it is sent). A failure to look or to
 * record keeps the claim pending (not released: a fresh claim would not look again) and retries later.
 */
async function settleIfAccepted(
  scope: IntentScope,
  intent: SendIntent,
  segment: string,
): Promise<IntentOutcome | undefined> {
  const { ledger, library } = scope.deps;
  let acceptance: SendAcceptance | undefined;
  try {
    acceptance = await ledger.accepted(intent);
  } catch (error) {
    return { kind: "retry", reason: `accepted: ${messageOf(error)}` };
  }
  if (acceptance === undefined) return undefined;
  const reason = `accepted by SES as ${acceptance.messageId} before its attempt died: recorded, not sent again`;
  // The attempt that died may not have counted it: counting again under the send key adds nothing.
  await countSend(scope, intent, acceptance.variant ?? "a", segment);
  try {
    await recordDecision(
      scope,
      entryOf(intent, library.byId.get(intent.campaignId), acceptance.acceptedAt, "sent", {
        messageId: acceptance.messageId,
        reason,
        ...(acceptance.variant === undefined ? {} : { variant: acceptance.variant }),
      }),
    );
  } catch (error) {
    return { kind: "retry", reason: `record (accepted by SES): ${messageOf(error)}` };
  }
  return { kind: "duplicate", reason };
}

/** Everything after a successful claim; throws only while nothing was handed to the provider. */
async function decideAndSend(
  scope: IntentScope,
  intent: SendIntent,
  stored: StoredProfile,
  now: number,
  retaken: boolean,
): Promise<IntentOutcome> {
  const { deps } = scope;
  const { ledger } = deps;
  const campaign = deps.library.byId.get(intent.campaignId);
  if (campaign === undefined) {
    const reason = `campaign ${intent.campaignId} no longer exists`;
    await recordDecision(scope, entryOf(intent, undefined, now, "skipped", { reason }));
    return { kind: "skipped", reason };
  }
  const { frequencyCap, channelCaps } = campaign.policy;
  const windowMs = Math.max(
    ...[frequencyCap, channelCaps?.email, channelCaps?.sms].map((cap) => cap?.perMs ?? 0),
  );
  if (windowMs === 0) return decideWith(scope, intent, stored, now, retaken, campaign, []);
  // Under a cap, one decision at a time per customer: the sends it counts are read, and its own recorded, inside,
  // at the time the lock was taken (the sends recorded while it waited are not in the future of its decision).
  return withCustomerLock(deps, intent, async () => {
    const at = Math.max(now, deps.clock.now());
    const recent = await ledger.recent(intent.customerId, at - windowMs, undefined, "sent");
    return decideWith(scope, intent, stored, at, retaken, campaign, recent);
  });
}

/** The policy's decision on `recent` (the sends its caps count), and what follows it: record, defer or send. */
async function decideWith(
  scope: IntentScope,
  intent: SendIntent,
  stored: StoredProfile,
  now: number,
  retaken: boolean,
  campaign: CampaignDefinition,
  recent: readonly LedgerEntry[],
): Promise<IntentOutcome> {
  const { deps } = scope;
  const { ledger } = deps;
  const catalog = await catalogFacts(deps, intent);
  // Only a best-time step reads the prior (through the container's cache).
  const openHourPrior =
    campaign.steps[intent.step]?.sendTime === undefined
      ? undefined
      : await openHourPriorOf(deps.openHourPriors);
  const decision = decideSend(
    intent,
    campaign,
    stored.profile,
    recent,
    now,
    catalog,
    openHourPrior === undefined ? {} : { openHourPrior },
  );
  switch (decision.kind) {
    case "skip":
      await recordDecision(scope, entryOf(intent, campaign, now, "skipped", { reason: decision.reason }));
      return { kind: "skipped", reason: decision.reason };
    case "holdout":
      await countSend(scope, intent, HOLDOUT_ARM, stored.profile.lc.s);
      await recordDecision(scope, entryOf(intent, campaign, now, "holdout", { reason: decision.reason }));
      return { kind: "heldOut", reason: decision.reason, segment: stored.profile.lc.s };
    case "defer":
      await deps.sendTimers.schedule({ ...intent, dueAt: decision.until });
      await recordDecision(scope, entryOf(intent, campaign, now, "deferred", { reason: decision.reason }));
      // A retaken claim stays pending: when the deferred send comes, its lease has ended and it is retaken.
      if (!retaken) await ledger.release(intent);
      return { kind: "deferred", reason: decision.reason };
    case "send": {
      const outcome =
        decision.channel === "sms"
          ? await sendSms(scope, {
              intent,
              campaign,
              profile: stored.profile,
              variant: decision.variant,
              now,
            })
          : await send(scope, intent, campaign, stored.profile, decision.variant, now);
      return outcome.kind === "sent" ? { ...outcome, segment: stored.profile.lc.s } : outcome;
    }
  }
}

/**
 * What the catalog says now of a catalog journey's product, for its exit conditions (out of stock again, price
 * back up, gone); undefined for other journeys. A catalog that cannot be read throws: the intent is retried.
 */
async function catalogFacts(deps: DispatchDeps, intent: SendIntent): Promise<CatalogFacts | undefined> {
  if (intent.trigger?.kind !== "catalog") return undefined;
  const productId = intent.trigger.change.productId;
  const product = (await deps.content.catalog.getMany([productId])).get(productId);
  return product === undefined ? {} : { product };
}

async function send(
  scope: IntentScope,
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  variant: string,
  now: number,
): Promise<IntentOutcome> {
  const { deps } = scope;
  const failPermanently = async (reason: string): Promise<IntentOutcome> => {
    await recordDecision(scope, entryOf(intent, campaign, now, "failed", { variant, reason }));
    return { kind: "failedPermanent", reason, recorded: true };
  };
  const to = profile.t?.email;
  const step = campaign.steps[intent.step];
  // decideSend skips both cases; kept for the type checker and for safety.
  if (to === undefined || to === "" || step === undefined) return failPermanently("no email address or step");
  const content = sendContent(campaign, step, variant, scope.templates);
  // A variant testing best sellers against the model leaves the model out.
  const { recommender, ...withoutModel } = deps.content;
  const contentDeps = content.recommendations === "best-sellers" ? withoutModel : deps.content;
  const reads = (name: string) =>
    deps.renderer.reads?.(content.template, content.templateVariant, name) ?? true;
  const showsContent = deps.content.contentLibrary !== undefined && reads("content");
  const showsOffer = reads("offer");
  const last =
    showsContent || showsOffer ? await lastShown(deps.ledger, intent.customerId, now) : { contentIds: [] };
  const { context, contentIds } = await prepareEmailContext(contentDeps, {
    ...contextBase({ campaign, profile, variant, now }, deps),
    contentItems: showsContent ? DEFAULT_CONTENT_ITEMS : 0,
    recentContent: showsContent ? last.contentIds : [],
    ...(showsOffer && last.offerId !== undefined ? { recentOffer: last.offerId } : {}),
    ...(intent.trigger?.kind === "catalog" ? { catalogChange: intent.trigger.change } : {}),
    ...(intent.trigger === undefined ? {} : { trigger: intent.trigger }),
  });
  const shown = {
    ...(contentIds.length > 0 ? { contentIds } : {}),
    ...(showsOffer && context.offer !== null ? { offerId: context.offer.code } : {}),
  };
  const rendered = deps.renderer.render({
    template: content.template,
    variant: content.templateVariant,
    context,
  });
  if (!rendered.ok) return failPermanently(`render failed: ${rendered.error.message}`);
  let subject = rendered.email.subject;
  if (content.subject !== undefined) {
    const own = scope.subjects.render(content.subject, context);
    if (!own.ok) return failPermanently(`render failed: ${own.reason}`);
    subject = own.subject;
  }
  const email: OutgoingEmail = {
    to,
    content: { ...rendered.email, subject },
    sendKey: intent.key,
    customerId: intent.customerId,
    campaignId: campaign.id,
    variant,
  };
  let messageId: string;
  try {
    const receipt = await sendWithBackoff(deps.mailer, email, backoffOf(deps));
    messageId = receipt.messageId;
  } catch (error) {
    if (error instanceof MailerUnavailableError && error.maybeSent) {
      // It may have gone out: settling it as failed is how it is never sent twice.
      return settleAfterProvider(
        scope,
        entryOf(intent, campaign, now, "failed", {
          variant,
          reason: `provider outcome unknown, not retried: ${error.message}`,
          ...shown,
        }),
      );
    }
    if (error instanceof TailorError && !error.retryable) return failPermanently(error.message);
    throw error;
  }
  // Counted before it is recorded: once recorded, a redelivery is a duplicate and counts nothing.
  await countSend(scope, intent, variant, profile.lc.s);
  return settleAfterProvider(scope, entryOf(intent, campaign, now, "sent", { variant, messageId, ...shown }));
}

/** The render context's inputs every channel shares. */
const contextBase = (
  text: Omit<TextToSend, "intent">,
  deps: DispatchDeps,
): Pick<EmailContextInput, "profile" | "now" | "campaign" | "variant" | "links" | "shop"> => ({
  profile: text.profile,
  now: text.now,
  campaign: { id: text.campaign.id, name: text.campaign.name },
  variant: text.variant,
  links: deps.links,
  shop: deps.shop,
});

/** What {@link sendSms} sends: the intent, its campaign, the customer, the variant and the time. */
interface TextToSend {
  readonly intent: SendIntent;
  readonly campaign: CampaignDefinition;
  readonly profile: Profile;
  readonly variant: string;
  readonly now: number;
}

/**
 * One text: the step's SMS template rendered for the customer (refused over its segment limit), sent through the
 * SMS sender with the same backoff, rate limit and "maybe sent" rule as an email, and logged with channel `sms`.
 * A number on the provider's opt-out list fails for good, saying so (the STOP reply's consent change follows
 * through the feedback path).
 */
async function sendSms(scope: IntentScope, text: TextToSend): Promise<IntentOutcome> {
  const { deps } = scope;
  const { intent, campaign, profile, variant, now } = text;
  const entry = (
    outcome: LedgerEntry["outcome"],
    extra: { reason?: string; messageId?: string; offerId?: string; linkIds?: readonly string[] },
  ) => ({
    ...entryOf(intent, campaign, now, outcome, { variant, ...extra }),
    channel: "sms" as const,
  });
  const failPermanently = async (reason: string): Promise<IntentOutcome> => {
    await recordDecision(scope, entry("failed", { reason }));
    return { kind: "failedPermanent", reason, recorded: true };
  };
  const step = campaign.steps[intent.step];
  const to = toE164(profile.t?.phone ?? "");
  if (deps.sms === undefined) {
    const reason = "SMS is off (-c sms=on): the step's text was not sent";
    await recordDecision(scope, entry("skipped", { reason }));
    return { kind: "skipped", reason };
  }
  if (step?.sms === undefined || to === undefined) return failPermanently("no SMS template or phone number");
  // A text that shows `offer` takes part in the rotation, as an email does.
  const showsOffer = deps.sms.renderer.reads?.(step.sms, "offer") ?? false;
  const recentOffer = showsOffer ? (await lastShown(deps.ledger, intent.customerId, now)).offerId : undefined;
  const { context } = await prepareEmailContext(deps.content, {
    ...contextBase(text, deps),
    recommendations: 0,
    ...(intent.trigger === undefined ? {} : { trigger: intent.trigger }),
    ...(recentOffer === undefined ? {} : { recentOffer }),
  });
  const offerId = showsOffer && context.offer !== null ? context.offer.code : undefined;
  const shortened = shortenerFor(deps, text);
  const rendered = deps.sms.renderer.render(step.sms, context, shortened?.shorten);
  if (!rendered.ok) return failPermanently(`render failed: ${rendered.error.message}`);
  // The links are stored before the text goes out: a failure here is retried, nothing was sent.
  if (shortened !== undefined && shortened.links.length > 0) await shortened.store.put(shortened.links);
  let messageId: string;
  try {
    const sms = {
      to,
      body: rendered.sms.body,
      messageType: campaign.purpose === "marketing" ? "PROMOTIONAL" : "TRANSACTIONAL",
      sendKey: intent.key,
      customerId: intent.customerId,
      campaignId: campaign.id,
      variant,
    } as const;
    const receipt = await sendWithBackoff(deps.sms.sender, sms, backoffOf(deps));
    messageId = receipt.messageId;
  } catch (error) {
    if (error instanceof MailerUnavailableError && error.maybeSent) {
      const reason = `provider outcome unknown, not retried: ${error.message}`;
      return settleAfterProvider(scope, entry("failed", { reason }));
    }
    if (error instanceof SmsRejectedError && error.optedOut) {
      return failPermanently(`opted out at the SMS provider (replied STOP): ${maskPhone(to)}`);
    }
    if (error instanceof TailorError && !error.retryable) return failPermanently(error.message);
    throw error;
  }
  try {
    await deps.sms.recipients?.remember(to, intent.customerId);
  } catch {
    // A reply from this number is then unattributed; the send itself stands.
  }
  await countSend(scope, intent, variant, profile.lc.s);
  const linkIds = shortened?.links.map((link) => link.id) ?? [];
  return settleAfterProvider(
    scope,
    entry("sent", {
      messageId,
      ...(offerId === undefined ? {} : { offerId }),
      // Kept on the entry so erasing the customer's ledger partition erases the links too.
      ...(linkIds.length === 0 ? {} : { linkIds }),
    }),
  );
}

/**
 * The short links of one text (`-c sms=on` with links): each URL becomes `<api>/l/<token>`, the token a signed
 * reference (the batch's link key) to the link's id, derived from the send key, the URL's place and target (a
 * retried send makes the same ids). The links are collected for the store.
 */
function shortenerFor(
  deps: DispatchDeps,
  text: TextToSend,
): { shorten: SmsLinkShortener; links: ShortLink[]; store: Pick<ShortLinkStore, "put"> } | undefined {
  const config = deps.sms?.links;
  const { secret, keyId } = deps.links;
  if (config === undefined || keyId === undefined) return undefined;
  const links: ShortLink[] = [];
  const shorten = (target: string, index: number) => {
    const id = shortLinkId(text.intent.key, index, target);
    links.push({
      id,
      target,
      customerId: text.intent.customerId,
      campaignId: text.campaign.id,
      variant: text.variant,
      sendKey: text.intent.key,
      expiresAt: text.now + config.ttlMs,
    });
    return shortLinkUrl(config.apiBaseUrl, signShortLink(id, secret, keyId));
  };
  return { shorten, links, store: config.store };
}

/**
 * Adds the send (or holdout) to the experiment counters under its send key, before the ledger settles it: a
 * kill in between leaves the claim pending, and whichever attempt settles it counts again under the same key,
 * which adds nothing. A counter that cannot be reached only undercounts the report (never fails the send).
 */
async function countSend(
  scope: IntentScope,
  intent: SendIntent,
  arm: string,
  segment: string,
): Promise<void> {
  const { experiments } = scope.deps;
  if (experiments === undefined) return;
  try {
    await experiments.add(`send#${intent.key}`, [
      { campaignId: intent.campaignId, arm, segment, metric: "sent", amount: 1 },
    ]);
  } catch {
    scope.uncounted.count++;
  }
}

/**
 * Logs a decision in the ledger, then counts it in the campaign's outcomes of the day. Only the attempt holding the
 * send's claim gets here, and the record settles the claim: a retry or a redelivery of the intent finds it settled
 * (`already`) and neither records nor counts again. The count follows the record, so a failure in between
 * undercounts, never double-counts; a counter that cannot be reached only undercounts the chart (never fails the
 * send: `uncounted` notes it).
 */
async function recordDecision(scope: IntentScope, entry: LedgerEntry): Promise<void> {
  await scope.deps.ledger.record(entry);
  const { outcomes } = scope.deps;
  if (outcomes === undefined) return;
  try {
    await outcomes.add(entry.campaignId, utcDayOf(entry.at), campaignOutcomeKey(entry));
  } catch {
    scope.uncounted.count++;
  }
}

/** Records an outcome the provider may already hold: never throws, so the message is never sent again. */
async function settleAfterProvider(scope: IntentScope, entry: LedgerEntry): Promise<IntentOutcome> {
  let recorded = true;
  let note: string | undefined;
  try {
    await recordDecision(scope, entry);
  } catch (error) {
    recorded = false;
    note = `not recorded (the claim stays pending): ${messageOf(error)}`;
  }
  if (entry.outcome === "sent" && entry.messageId !== undefined) {
    return {
      kind: "sent",
      messageId: entry.messageId,
      variant: entry.variant ?? "a",
      recorded,
      ...(note === undefined ? {} : { reason: note }),
    };
  }
  const reason = [entry.reason ?? "failed", note].filter((part) => part !== undefined).join("; ");
  return { kind: "failedPermanent", reason, recorded };
}
