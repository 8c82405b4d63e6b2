import type { ConsentPurpose, TailorEvent } from "#shared/domain/events/index.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { rememberedHashes, shortHash } from "#shared/domain/profile/dedup.js";
import type { ConsentState, Profile } from "#shared/domain/profile/profile.js";
import type { AuditEntry } from "#shared/ports.js";

/** A consent decision carried by an event: `Consent Updated`, or `Unsubscribed` (a withdrawal). */
interface Decision {
  readonly event: TailorEvent;
  readonly purpose: ConsentPurpose;
  readonly granted: boolean;
  readonly source: string | undefined;
}

function decisionOf(event: TailorEvent): Decision | undefined {
  if (event.kind === "consent_updated") {
    return {
      event,
      purpose: event.consent.purpose,
      granted: event.consent.granted,
      source: event.consent.source,
    };
  }
  // Mirrors `recordUnsubscribe`: an unsubscribe withdraws consent with source `unsubscribe`.
  if (event.kind === "unsubscribed") {
    return { event, purpose: event.unsubscribe.purpose, granted: false, source: "unsubscribe" };
  }
  return undefined;
}

const sameState = (a: ConsentState | undefined, b: ConsentState | undefined) =>
  a?.g === b?.g && a?.at === b?.at && a?.src === b?.src;

/**
 * The `consent.changed` audit entries one customer's batch produces: one per consent decision (`Consent Updated`,
 * `Unsubscribed`) that the fold applied and that changed the purpose's state, in the fold's order (time, then
 * messageId). A decision changes the state when there was none, or when it grants what was withdrawn (or the
 * reverse), or records another source (a double opt-in confirming a signup is evidence worth keeping). A
 * decision older than the stored one is ignored, as the fold ignores it; so are purposes whose state the fold
 * left as it was (`after` equals `before`), and events the profile remembers as applied already (re-deliveries).
 *
 * Entry ids are derived from the events' `messageId`s (hashed), so a re-delivered batch appends nothing new. Details hold the purpose,
 * `granted`, the source (when given) and the previous grant (when there was one); no personal data.
 *
 * @param before The stored profile before the batch (`undefined` for a new customer).
 * @param after The profile the fold produced.
 * @param events The customer's events of the batch (any order; others than consent decisions are skipped).
 * @param actor Who made the change (`app:<source>`, `api:<caller>`), or a function of the event that says so.
 */
export function consentAuditEntries(
  before: Profile | undefined,
  after: Profile,
  events: readonly TailorEvent[],
  actor: string | ((event: TailorEvent) => string),
): AuditEntry[] {
  const decisions = events
    .map(decisionOf)
    .filter((decision) => decision !== undefined)
    .sort((a, b) => a.event.timestamp - b.event.timestamp || compare(a.event.messageId, b.event.messageId));
  if (decisions.length === 0) return [];
  const hash = customerHash(after.customerId);
  const state: Partial<Record<ConsentPurpose, ConsentState>> = { ...before?.c };
  // Events the profile already remembers were applied (and audited) by an earlier batch: the fold skips them.
  const seen = rememberedHashes(before?.dd ?? {});
  const entries: AuditEntry[] = [];
  for (const { event, purpose, granted, source } of decisions) {
    const hashed = shortHash(event.messageId);
    if (seen.has(hashed)) continue;
    seen.add(hashed);
    if (sameState(before?.c?.[purpose], after.c?.[purpose])) continue;
    const current = state[purpose];
    const time = event.timestamp;
    if (current !== undefined && current.at > time) continue;
    state[purpose] = { g: granted, at: time, ...(source === undefined ? {} : { src: source }) };
    if (current !== undefined && current.g === granted && current.src === source) continue;
    entries.push({
      // Hashed: an app's messageId may contain the customer id, and audit entries outlive an erasure.
      id: consentAuditId(event.messageId),
      at: time,
      action: "consent.changed",
      actor: typeof actor === "string" ? actor : actor(event),
      customerHash: hash,
      details: {
        purpose,
        granted,
        ...(source === undefined ? {} : { source }),
        ...(current === undefined ? {} : { previous: current.g }),
      },
    });
  }
  return entries;
}

/** The audit id of a consent decision: derived from its event's messageId, hashed (no personal data). */
export function consentAuditId(messageId: string): string {
  return `consent#${customerHash(messageId).slice(0, 32)}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
