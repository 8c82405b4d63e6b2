import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer } from "#shared/app/privacy/erase-customer.js";
import { inboundSmsToTrack } from "#shared/app/sms-feedback.js";
import { DynamoPhoneIndex } from "#shared/aws/dynamo-phone-index.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { privacyFakes } from "../privacy/privacy-fakes.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const NOW = Date.UTC(2026, 11, 7, 12);
let emulator: Awaited<ReturnType<typeof startDynalite>>;
let phones: DynamoPhoneIndex;
let profiles: DynamoProfileStore;

beforeAll(async () => {
  emulator = await startDynalite();
  const tableName = await createTable(emulator.client, "profiles", "pk");
  phones = new DynamoPhoneIndex({ client: emulator.client, tableName });
  profiles = new DynamoProfileStore({ client: emulator.client, tableName });
}, 30_000);
afterAll(() => emulator.stop());

describe("the phone index in the profiles table", () => {
  it("finds the customer a number was last texted for, and nobody for a number never texted", async () => {
    await phones.remember("+33612345678", "c-1");
    expect(await phones.customerOf("+33612345678")).toBe("c-1");
    expect(await phones.customerOf("+33612345679")).toBeUndefined();
    await phones.remember("+33612345678", "c-2");
    expect(await phones.customerOf("+33612345678")).toBe("c-2");
  });

  it("attributes a STOP reply to the number's customer", async () => {
    await phones.remember("+447700900123", "c-stop");
    const mapped = await inboundSmsToTrack(
      phones,
      {
        originationNumber: "+447700900123",
        destinationNumber: "+15555550100",
        messageBody: "stop",
        inboundMessageId: "in-1",
      },
      NOW,
    );
    expect(mapped.ok && mapped.customerId).toBe("c-stop");
  });

  it("is never read as a profile by the table's scans, and never meets a customer's key", async () => {
    await phones.remember("+15555550111", "c-scan");
    // A customer whose id is the number itself lives at its own c# key.
    await profiles.put({ ...emptyProfile("+15555550111", NOW), version: 0 }, undefined);
    const seen: string[] = [];
    for await (const stored of profiles.scan({ segment: 0, totalSegments: 1 }))
      seen.push(stored.profile.customerId);
    expect(seen).toEqual(["+15555550111"]);
    expect(await phones.customerOf("+15555550111")).toBe("c-scan");
  });

  it("loses the customer's entry when the customer is erased, and keeps another customer's", async () => {
    await phones.remember("+33698765432", "c-erased");
    await phones.remember("+33698765433", "c-other");
    const fakes = privacyFakes(NOW);
    fakes.profiles.items.set("c-erased", {
      profile: { ...emptyProfile("c-erased", NOW), version: 1, t: { phone: "+33 6 98 76 54 32" } },
      itemBytes: 300,
    });
    await eraseCustomer({ ...fakes.deps, phones }, "c-erased", "cli:ops");
    expect(await phones.customerOf("+33698765432")).toBeUndefined();
    expect(await phones.customerOf("+33698765433")).toBe("c-other");
    // Only the entry that still names the customer goes: a number texted since for someone else stays theirs.
    expect(await phones.forget("+33698765433", "c-erased")).toBe(false);
    expect(await phones.customerOf("+33698765433")).toBe("c-other");
  });
});
