import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import type { JsonValue } from "#shared/domain/privacy/json-value.js";
import { toJson, toJsonObject } from "#shared/domain/privacy/json-value.js";
import type { AuditEntry } from "#shared/ports.js";
import { customerEmails } from "./customer-emails.js";
import { customerIdsOf } from "./customer-ids.js";
import type { PrivacyDeps } from "./privacy-ports.js";
import { profileFieldGuide, readableProfile } from "./readable-profile.js";

/** The format tag of the export document. */
export const EXPORT_FORMAT = "tailor.customer-export/1";

/** Consent changes read from the audit log for the export (the newest first). */
const CONSENT_HISTORY_LIMIT = 1000;

/** Everything held about one customer, as one JSON document (portability). Plain JSON: it round-trips. */
export interface CustomerExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly customerId: string;
  readonly customerHash: string;
  /** ISO 8601. */
  readonly exportedAt: string;
  /** Readable profile field name → what it holds. */
  readonly profileFields: { [key: string]: string };
  /** The profile with readable field names, or `null` when none is stored. */
  readonly profile: { [key: string]: JsonValue } | null;
  /** The send ledger: claims (one per send, with its state) and the log of outcomes (sends and decisions). */
  readonly ledger: {
    readonly claims: { [key: string]: JsonValue }[];
    readonly log: { [key: string]: JsonValue }[];
  };
  /** Pending timers: segment re-evaluations and delayed sends (with their intent). */
  readonly timers: { [key: string]: JsonValue }[];
  /** Quarantined records of the customer: their metadata (the reason, where they came from). */
  readonly quarantine: { [key: string]: JsonValue }[];
  /** Products the customer viewed or carted lately (the watch index of catalog-triggered campaigns). */
  readonly watches?: { [key: string]: JsonValue }[];
  /** Consent changes from the audit log, newest first. */
  readonly consentHistory: { [key: string]: JsonValue }[];
}

/**
 * Exports what Tailor holds about `customerId` as one JSON document, and audits it (`customer.exported`, by hash,
 * with the counts). A customer with nothing stored gets a document with empty parts.
 */
export async function exportCustomer(deps: PrivacyDeps, id: string, actor: string): Promise<CustomerExport> {
  const now = deps.clock.now();
  // Any id of the customer reaches all of it; the profile first: its email finds the quarantined records that
  // name the customer only by email.
  const { customerId, stored, ids } = await customerIdsOf(deps, id);
  const hash = customerHash(customerId);
  const emails = customerEmails(stored);
  const { watches: watchIndex } = deps;
  const [ledger, timers, quarantine, audit, watches] = await Promise.all([
    allOf(ids, (each) => deps.ledger.list(each)),
    allOf(ids, (each) => deps.timers.list(each)),
    allOf(ids, (each) => deps.quarantine.list(each, emails)),
    deps.audit.forCustomer(hash, CONSENT_HISTORY_LIMIT),
    watchIndex === undefined ? undefined : allOf(ids, (each) => watchIndex.list(each)),
  ]);
  const document: CustomerExport = {
    format: EXPORT_FORMAT,
    customerId,
    customerHash: hash,
    exportedAt: new Date(now).toISOString(),
    profileFields: profileFieldGuide(),
    profile: stored === undefined ? null : readableProfile(stored.profile),
    ledger: {
      claims: ledger.filter((i) => i.kind === "claim").map((i) => toJsonObject(i.item)),
      log: ledger.filter((i) => i.kind === "log").map((i) => toJsonObject(i.item)),
    },
    timers: timers.map((timer) => {
      const intent = timer.payload === undefined ? undefined : parseJson(timer.payload);
      return toJsonObject({
        kind: timer.kind,
        dueAt: new Date(timer.dueAt).toISOString(),
        ...(intent === undefined ? {} : { intent }),
      });
    }),
    quarantine: quarantine.map((record) => toJsonObject(record)),
    ...(watches === undefined ? {} : { watches }),
    consentHistory: audit.filter((e) => e.action === "consent.changed").map((e) => toJsonObject(e)),
  };
  const entry: AuditEntry = {
    id: `customer.exported#${hash}#${now}`,
    at: now,
    action: "customer.exported",
    actor,
    customerHash: hash,
    details: {
      profile: stored !== undefined,
      ledger: ledger.length,
      timers: timers.length,
      quarantine: quarantine.length,
    },
  };
  await deps.audit.append([entry]);
  return document;
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return toJson(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Every item of every id, in the order of the ids. */
async function allOf<T>(ids: readonly string[], list: (id: string) => Promise<readonly T[]>): Promise<T[]> {
  return (await Promise.all(ids.map(list))).flat();
}
