import { describe, expect, it } from "vitest";
import { eraseCustomer } from "#shared/app/privacy/erase-customer.js";
import { exportCustomer } from "#shared/app/privacy/export-customer.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import type { QuarantinedItems, QuarantinedMetadata } from "#shared/ports.js";
import { privacyFakes } from "./privacy-fakes.js";

const NOW = Date.UTC(2026, 10, 23, 12);

/** A quarantine that remembers what it was asked, and whether the profile still existed then. */
class AskedQuarantine implements QuarantinedItems {
  readonly asked: { call: "list" | "erase"; customerId: string; emails: readonly string[] }[] = [];

  async list(customerId: string, emails: readonly string[]): Promise<QuarantinedMetadata[]> {
    this.asked.push({ call: "list", customerId, emails: [...emails] });
    return [];
  }

  async erase(customerId: string, emails: readonly string[]): Promise<number> {
    this.asked.push({ call: "erase", customerId, emails: [...emails] });
    return 0;
  }
}

function withProfile(email: string | undefined) {
  const fakes = privacyFakes(NOW);
  const profile = emptyProfile("c-1", NOW - 86_400_000);
  fakes.profiles.items.set("c-1", {
    profile: email === undefined ? profile : { ...profile, t: { email } },
    itemBytes: 300,
  });
  const quarantine = new AskedQuarantine();
  return { fakes, quarantine, deps: { ...fakes.deps, quarantine } };
}

describe("the quarantine is asked by id and by the profile's email", () => {
  it("erasure passes the email the profile held before it was deleted", async () => {
    const { quarantine, deps, fakes } = withProfile("Ada@Example.com");

    await eraseCustomer(deps, "c-1", "cli:ops");

    expect(quarantine.asked).toEqual([{ call: "erase", customerId: "c-1", emails: ["Ada@Example.com"] }]);
    expect(fakes.profiles.items.has("c-1")).toBe(false);
  });

  it("export lists by the same email", async () => {
    const { quarantine, deps } = withProfile("ada@example.com");

    await exportCustomer(deps, "c-1", "cli:ops");

    expect(quarantine.asked).toEqual([{ call: "list", customerId: "c-1", emails: ["ada@example.com"] }]);
  });

  it("passes no email for a profile without one, or no profile", async () => {
    const { quarantine, deps } = withProfile(undefined);

    await eraseCustomer(deps, "c-1", "cli:ops");
    await eraseCustomer(deps, "c-unknown", "cli:ops");

    expect(quarantine.asked.map((a) => a.emails)).toEqual([[], []]);
  });
});
