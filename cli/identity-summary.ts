import { z } from "zod";
import type { IdentityConflict, IdentityLinkKind } from "#shared/domain/profile/profile.js";
import { count } from "./format.js";

const LINK_KINDS = ["identify", "alias", "email"] as const satisfies readonly IdentityLinkKind[];
const REFUSAL_REASONS = ["known", "taken", "limit"] as const satisfies readonly IdentityConflict["r"][];

/** The identity fields of a stored profile, as far as the summary reads them (`im` and `ix`). */
const identityFieldsSchema = z.looseObject({
  im: z.array(z.looseObject({ i: z.string(), h: z.enum(LINK_KINDS) })).optional(),
  ix: z.array(z.looseObject({ i: z.string(), r: z.enum(REFUSAL_REASONS) })).optional(),
});

/** What the run's identity resolution did, read from the profiles it wrote. */
export interface IdentityTally {
  /** Ids merged into a known customer (`im` entries), over all profiles. */
  readonly merged: number;
  /** Profiles holding at least one merged id. */
  readonly customers: number;
  /** Merged ids by how they joined. */
  readonly byKind: Readonly<Record<IdentityLinkKind, number>>;
  /** Refused links the profiles remember (`ix`, at most five a profile). */
  readonly refused: number;
  readonly byReason: Readonly<Record<IdentityConflict["r"], number>>;
  /** Profiles whose `im` or `ix` is not what the profile layout says (left out of the figures above). */
  readonly unreadable: number;
}

/** Tallies `im` and `ix` over profile items (unmarshalled; items without either count for nothing). */
export function tallyIdentities(items: Iterable<unknown>): IdentityTally {
  const byKind: Record<IdentityLinkKind, number> = { identify: 0, alias: 0, email: 0 };
  const byReason: Record<IdentityConflict["r"], number> = { known: 0, taken: 0, limit: 0 };
  let customers = 0;
  let unreadable = 0;
  for (const item of items) {
    const parsed = identityFieldsSchema.safeParse(item);
    if (!parsed.success) {
      unreadable++;
      continue;
    }
    const { im = [], ix = [] } = parsed.data;
    if (im.length > 0) customers++;
    for (const link of im) byKind[link.h]++;
    for (const conflict of ix) byReason[conflict.r]++;
  }
  const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
  return { merged: sum(byKind), customers, byKind, refused: sum(byReason), byReason, unreadable };
}

/** `a 1 · b 2` over the non-zero counts, in the given order. */
function breakdown(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${count(n)}`);
  return parts.length > 0 ? ` (${parts.join(" · ")})` : "";
}

/**
 * The summary's identity line: `identities       12 ids merged into 10 customers (identify 8 · email 4) ·
 * 2 links refused (known 2)`.
 */
export function identityLine(tally: IdentityTally): string {
  const merged =
    `${count(tally.merged)} ${tally.merged === 1 ? "id" : "ids"} merged into ${count(tally.customers)} ` +
    `${tally.customers === 1 ? "customer" : "customers"}${breakdown(tally.byKind)}`;
  const refused = `${count(tally.refused)} ${tally.refused === 1 ? "link" : "links"} refused${breakdown(tally.byReason)}`;
  const unreadable = tally.unreadable > 0 ? ` · ${count(tally.unreadable)} profiles unreadable` : "";
  return `  identities       ${merged} · ${refused}${unreadable}`;
}
