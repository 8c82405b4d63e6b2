import {
  buildCampaignLibrary,
  type CampaignDefinition,
  type CampaignLibrary,
  checkCampaignDefinition,
  type LedgerEntry,
  type TemplateCatalog,
} from "#shared/domain/campaigns/index.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { emptyProfile, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { parsed, type RawEvent } from "../factories/events.js";

export const CUSTOMER = "user-1";
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Templates the tests refer to. */
export const CATALOG: TemplateCatalog = new Map([
  ["cart-abandonment", ["a"]],
  ["welcome", ["a", "b"]],
  ["newsletter", ["a", "b"]],
]);

/** A campaign from its file form (defaults: a marketing cart campaign); throws with the issues when invalid. */
export function campaign(raw: Record<string, unknown> = {}): CampaignDefinition {
  const checked = checkCampaignDefinition({
    id: "cart",
    name: "Cart",
    version: 1,
    purpose: "marketing",
    trigger: { event: "Product Added" },
    steps: [{ delay: "4h", template: "cart-abandonment" }],
    ...raw,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.definition;
}

/** A library of campaigns with every segment and the test catalog known. */
export function library(...campaigns: CampaignDefinition[]): CampaignLibrary {
  return buildCampaignLibrary(campaigns, { templates: CATALOG, segmentIds: new Set(["lapsed", "vip"]) });
}

/** Parses raw events (any time accepted). */
export function events(...raws: RawEvent[]): TailorEvent[] {
  return raws.map((raw) => parsed(raw, Number.MAX_SAFE_INTEGER - DAY));
}

/** The profile the real fold builds from `before` and raw events, at `now`. */
export function fold(before: Profile | undefined, now: number, batch: readonly TailorEvent[]): Profile {
  return foldEvents(before, CUSTOMER, batch, now).profile;
}

/** A reachable customer: email, marketing consent granted, optional time zone. */
export function reachable(overrides: Partial<Profile> = {}, timezone?: string): Profile {
  const base = emptyProfile(CUSTOMER, 0);
  return {
    ...base,
    t: { email: "ada@example.com", ...(timezone === undefined ? {} : { timezone }) },
    c: { marketing_email: { g: true, at: 0 } },
    ...overrides,
  };
}

/** A ledger entry of a send. */
export function sent(at: number, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    key: `other#${CUSTOMER}#${at}#0`,
    customerId: CUSTOMER,
    campaignId: "other",
    purpose: "marketing",
    priority: 0,
    at,
    outcome: "sent",
    ...overrides,
  };
}

/** The starter campaigns (`templates/campaigns`), linked against the shipped templates and segments. */
export function starterLibrary(): CampaignLibrary {
  return loadCampaignLibrary("templates/campaigns", {
    templates: "templates/emails",
    segments: loadSegmentLibrary("templates/segments"),
  });
}

/** One campaign of `library` by id; throws when it has none. */
export function campaignOf(library: CampaignLibrary, id: string): CampaignDefinition {
  const found = library.byId.get(id);
  if (found === undefined) throw new Error(`no starter campaign ${id}`);
  return found;
}
