import { describe, expect, it } from "vitest";
import { identityLine, tallyIdentities } from "#cli/identity-summary.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import type { IdentityConflict, IdentityLink } from "#shared/domain/profile/profile.js";

const NOW = Date.UTC(2026, 11, 6, 12, 0);

function link(i: string, h: IdentityLink["h"]): IdentityLink {
  return { i, h, at: NOW, m: `m-${i}`, v: 1 };
}

function refusal(i: string, r: IdentityConflict["r"]): IdentityConflict {
  return { r, i, ...(r === "limit" ? {} : { o: "c-other" }), at: NOW, m: `m-${i}` };
}

function profile(id: string, fields: Pick<Profile, "im" | "ix">): Profile {
  return { ...emptyProfile(id, NOW), u: 1, ...fields };
}

describe("the identity line of the start summary", () => {
  it("counts merged ids by how they joined, the customers holding them, and the refused links by reason", () => {
    // GIVEN profiles as the run wrote them: two customers with merged ids, one with only a refusal, one plain
    const profiles = [
      profile("c-1", {
        im: [link("anon-1", "identify"), link("anon-2", "identify"), link("lead-1", "email")],
      }),
      profile("c-2", {
        im: [link("old-id", "alias")],
        ix: [refusal("anon-9", "known"), refusal("anon-8", "taken")],
      }),
      profile("c-3", { ix: [refusal("anon-7", "taken")] }),
      emptyProfile("c-4", NOW),
    ];

    // WHEN the summary tallies them
    const tally = tallyIdentities(profiles);

    // THEN every link and refusal is counted once, by kind
    expect(tally).toEqual({
      merged: 4,
      customers: 2,
      byKind: { identify: 2, alias: 1, email: 1 },
      refused: 3,
      byReason: { known: 1, taken: 2, limit: 0 },
      unreadable: 0,
    });
    expect(identityLine(tally)).toBe(
      "  identities       4 ids merged into 2 customers (identify 2 · alias 1 · email 1) · " +
        "3 links refused (known 1 · taken 2)",
    );
  });

  it("says nothing merged and nothing refused for profiles without identity links (before ingest links)", () => {
    const line = identityLine(tallyIdentities([emptyProfile("c-1", NOW), emptyProfile("c-2", NOW)]));

    expect(line).toBe("  identities       0 ids merged into 0 customers · 0 links refused");
  });

  it("uses the singular for one, and reports a profile whose links do not parse instead of miscounting it", () => {
    const items = [
      profile("c-1", { im: [link("anon-1", "email")], ix: [refusal("anon-2", "limit")] }),
      { customerId: "c-2", im: [{ i: "anon-3", h: "guess" }] },
      { customerId: "c-3", ix: "not a list" },
    ];

    const tally = tallyIdentities(items);

    expect(tally.unreadable).toBe(2);
    expect(identityLine(tally)).toBe(
      "  identities       1 id merged into 1 customer (email 1) · 1 link refused (limit 1) · 2 profiles unreadable",
    );
  });
});
