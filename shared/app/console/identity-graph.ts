import type { IdentityConflict, IdentityLink, Profile } from "#shared/domain/profile/index.js";

/** A time as `YYYY-MM-DD HH:MM` (UTC). */
export const minute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The customer's identity graph as data: every id merged into it, and the links refused. */
export function identityGraph(profile: Pick<Profile, "customerId" | "u" | "im" | "ix">): {
  customerId: string;
  known: boolean;
  ids: IdentityLink[];
  refused: IdentityConflict[];
} {
  return {
    customerId: profile.customerId,
    known: profile.u === 1,
    ids: profile.im ?? [],
    refused: profile.ix ?? [],
  };
}

/** Why a link was refused, in a few words. */
export function refusalText(conflict: IdentityConflict): string {
  switch (conflict.r) {
    case "known":
      return "another known customer";
    case "taken":
      return `merged into ${conflict.o ?? "another customer"} first`;
    case "limit":
      return "id limit reached";
  }
}
