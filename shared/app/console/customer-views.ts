import { normalEmail } from "#shared/domain/identity/identity-links.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { clockSkewNote } from "#shared/domain/profile/index.js";
import type { AuditEntry } from "#shared/ports.js";
import { mergedInto } from "../identity/merged-into.js";
import type { ConsoleDeps } from "./console-deps.js";
import { type Explanation, explainProfile } from "./explain-profile.js";
import { identityGraph } from "./identity-graph.js";
import { type ProfileInWords, profileInWords } from "./profile-words.js";

/** How far back the console shows a customer's sends and decisions not to send. */
export const CONSOLE_SENDS_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;
/** Ledger entries shown at most. */
const SENDS_SHOWN = 100;
/** Audit entries read for the consent history at most. */
const AUDIT_READ = 200;

/** How a search found its customer. */
export type MatchedBy = "customer id" | "merged id" | "email";

/** A customer a search found. */
export interface CustomerMatch {
  readonly customerId: string;
  readonly matchedBy: MatchedBy;
}

/**
 * Finds the customer behind any of its ids (customer id, anonymous or other id merged into it) or its email
 * (the identity graph's email index: one read, never a scan). At most one match; none for an unknown id.
 */
export async function findCustomer(
  deps: Pick<ConsoleDeps, "identities">,
  query: string,
): Promise<CustomerMatch | undefined> {
  const asked = query.trim();
  if (asked === "") return undefined;
  if (asked.includes("@")) {
    const email = normalEmail(asked);
    const holder = email === undefined ? undefined : await deps.identities.emailOwner(email);
    if (holder === undefined) return undefined;
    return { customerId: (await mergedInto(deps.identities, holder.id)) ?? holder.id, matchedBy: "email" };
  }
  const { profiles } = await deps.identities.resolveIds([asked]);
  if (profiles.has(asked)) return { customerId: asked, matchedBy: "customer id" };
  const target = await mergedInto(deps.identities, asked);
  return target === undefined ? undefined : { customerId: target, matchedBy: "merged id" };
}

/** One consent decision of the customer's history (from the audit log). */
export interface ConsentChange {
  readonly at: string;
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/** One ledger entry as the console shows it. */
export interface SendView {
  readonly at: string;
  readonly campaignId: string;
  readonly step: number | null;
  readonly outcome: string;
  readonly variant: string | null;
  readonly reason: string | null;
}

/** Everything the console's customer page shows. */
export interface CustomerDetail {
  readonly customerId: string;
  readonly at: string;
  readonly profile: ProfileInWords;
  readonly clock: string | null;
  readonly segments: readonly Explanation[];
  readonly identities: ReturnType<typeof identityGraph>;
  readonly sends: readonly SendView[];
  readonly consent: readonly ConsentChange[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The step of a send key (`campaign#customer#occurrence#step`), counted from 1 for people. */
function stepOf(key: string): number | null {
  const step = Number(key.slice(key.lastIndexOf("#") + 1));
  return Number.isInteger(step) ? step + 1 : null;
}

/**
 * One customer as the console shows it, and the audit entry of the read (`customer.viewed`, by `actor`, the
 * customer by hash): the profile in words, every segment's verdict with its reasons, the identity graph, the
 * sends and decisions not to send of the last 30 days, the consent history. `undefined` (nothing audited) for an
 * id with no profile.
 */
export async function customerDetail(
  deps: Pick<ConsoleDeps, "profiles" | "segments" | "ledger" | "audit" | "segmentLibrary" | "clock">,
  customerId: string,
  actor: string,
): Promise<CustomerDetail | undefined> {
  const now = deps.clock.now();
  const hash = customerHash(customerId);
  const [stored, rfm, sends, audit] = await Promise.all([
    deps.profiles.get(customerId),
    deps.segments.rfmThresholds(),
    deps.ledger.recent(customerId, now - CONSOLE_SENDS_LOOKBACK_MS, SENDS_SHOWN),
    deps.audit.forCustomer(hash, AUDIT_READ),
  ]);
  if (stored === undefined) return undefined;
  await auditView(deps, customerId, actor, "profile, segments, identities, sends, consent");
  const profile = stored.profile;
  return {
    customerId,
    at: iso(now),
    profile: profileInWords(profile, now),
    clock: clockSkewNote(profile) ?? null,
    segments: explainProfile(deps.segmentLibrary(), profile, now, rfm === undefined ? {} : { rfm }),
    identities: identityGraph(profile),
    sends: sends.map((entry) => ({
      at: iso(entry.at),
      campaignId: entry.campaignId,
      step: stepOf(entry.key),
      outcome: entry.outcome,
      variant: entry.variant ?? null,
      reason: entry.reason ?? null,
    })),
    consent: audit
      .filter((entry) => entry.action === "consent.changed")
      .map((entry) => ({ at: iso(entry.at), details: entry.details })),
  };
}

/** Writes the audit entry of one read of a customer's data (`customer.viewed`: who, when, what was shown). */
export async function auditView(
  deps: Pick<ConsoleDeps, "audit" | "clock">,
  customerId: string,
  actor: string,
  what: string,
): Promise<void> {
  const now = deps.clock.now();
  const hash = customerHash(customerId);
  const viewed: AuditEntry = {
    id: `customer.viewed#${hash}#${now}#${actor}#${what}`,
    at: now,
    action: "customer.viewed",
    actor,
    customerHash: hash,
    details: { what },
  };
  await deps.audit.append([viewed]);
}
