import { identityGraph, minute, refusalText } from "#shared/app/console/identity-graph.js";
import type { Profile } from "#shared/domain/profile/index.js";

export { identityGraph, minute, refusalText };

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
