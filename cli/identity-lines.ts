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

/**
 * The identity graph as text, for `tailor explain`: which ids, since when, from which event, and what was refused
 * (nothing for a customer known by one id only).
 */
export function identityLines(profile: Pick<Profile, "customerId" | "u" | "im" | "ix">): string[] {
  const graph = identityGraph(profile);
  const lines: string[] = [];
  if (graph.ids.length === 0 && graph.refused.length === 0) return lines;
  lines.push(`identities of ${graph.customerId} (${graph.known ? "known customer" : "anonymous"}):`);
  for (const link of graph.ids) {
    const event = link.m === "" ? "" : `, event ${link.m}`;
    lines.push(`  ${link.i}  by ${link.h} since ${minute(link.at)}${event}`);
  }
  for (const refused of graph.refused) {
    lines.push(
      `  ${refused.i}  not merged: ${refusalText(refused)} (${minute(refused.at)}, event ${refused.m})`,
    );
  }
  lines.push("");
  return lines;
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
