import { lastAt, type Profile } from "../profile/index.js";
import { type CatalogFacts, catalogExit } from "./catalog-journeys.js";
import type { SendIntent } from "./contracts.js";
import type { CampaignDefinition } from "./definition.js";

function membershipSince(profile: Profile, segmentId: string): number | undefined {
  const member = profile.sg?.[segmentId];
  if (member !== undefined) return member.e;
  return profile.ss?.includes(segmentId) === true ? Number.NEGATIVE_INFINITY : undefined;
}

/**
 * Why the journey of `intent` has ended, or undefined while it goes on:
 * - an `exitWhen` event occurred after the journey started (`exited: Order Completed`);
 * - with `exitWhenCartEmpty`, the customer's cart holds nothing (`exited: cart empty`);
 * - a journey started by entering a segment (or a schedule's audience) ends when the customer is no longer a
 *   member, or left and entered again since (`exited: left segment lapsed`);
 * - a journey started by leaving a segment ends when the customer entered it again since;
 * - a journey started by a catalog change ends when the customer bought the product, or, by what `catalog` says
 *   now, the product is gone, out of stock again, or its price is back up (see `catalogExit`).
 */
export function exited(
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  now: number,
  catalog?: CatalogFacts,
): string | undefined {
  for (const ref of campaign.exitWhen) {
    const last = lastAt(profile, ref.kind);
    if (last !== undefined && last > intent.startedAt && last <= now) return `exited: ${ref.name}`;
  }
  if (campaign.exitWhenCartEmpty === true && (profile.ct?.i.length ?? 0) === 0) return "exited: cart empty";
  const trigger = campaign.trigger;
  if (trigger.kind === "segment" && trigger.on === "entered") {
    const since = membershipSince(profile, trigger.segmentId);
    if (since === undefined || since > intent.startedAt) return `exited: left segment ${trigger.segmentId}`;
  }
  if (trigger.kind === "segment" && trigger.on === "exited") {
    const since = membershipSince(profile, trigger.segmentId);
    if (since !== undefined && since > intent.startedAt)
      return `exited: entered segment ${trigger.segmentId} again`;
  }
  if (trigger.kind === "schedule" && membershipSince(profile, trigger.audience) === undefined) {
    return `exited: left segment ${trigger.audience}`;
  }
  if (trigger.kind === "catalog") return catalogExit(intent, profile, catalog);
  return undefined;
}
