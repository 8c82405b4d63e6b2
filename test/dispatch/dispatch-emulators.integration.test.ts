import { mkdtempSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { makeDispatchDeps } from "#functions/dispatch/make-deps.js";
import { loadSesServer } from "#infra/local/ses-server.js";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { sendKey } from "#shared/domain/campaigns/index.js";
import { loadEnv } from "#shared/lambda/env.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { createCatalogTable } from "../support/catalog-table.js";
import { dispatchTestEnv } from "../support/dispatch-env.js";
import { createTable } from "../support/dynamo-table.js";
import { customer, HOUR, T0 } from "./harness.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const portOf = (server: Server) => {
  const address = server.address();
  return typeof address === "object" && address !== null ? address.port : 0;
};

/** The SES emulator on its own, on a free port. */
async function startSes(): Promise<Server> {
  return loadSesServer()({ host: "127.0.0.1", port: 0 });
}

let dynamo: Server;
let ses: Server;
let dynamodb: DynamoDBClient;
let sesUrl: string;
const saved = { ...process.env };

const table = (name: string, hash: string, range?: string) => createTable(dynamodb, name, hash, range);

beforeAll(async () => {
  dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, "127.0.0.1", () => resolve()));
  const dynamoUrl = `http://127.0.0.1:${portOf(dynamo)}`;
  dynamodb = new DynamoDBClient({ region: "us-east-1", credentials, endpoint: dynamoUrl });
  ses = await startSes();
  sesUrl = `http://127.0.0.1:${portOf(ses)}`;
  // The composition root builds its clients with `new XClient({})`: point them at the emulators.
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
    AWS_ENDPOINT_URL_SESV2: sesUrl,
  });
});

afterAll(async () => {
  process.env = saved;
  dynamodb?.destroy();
  await new Promise<void>((resolve) => dynamo?.close(() => resolve()));
  ses?.closeAllConnections();
  await new Promise<void>((resolve) => ses?.close(() => resolve()));
});

interface StoredMail {
  readonly messageId: string;
  readonly subject: string;
  readonly destination: { readonly to: readonly string[] };
  readonly body: { readonly html?: string };
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
}

async function inbox(): Promise<StoredMail[]> {
  const store: unknown = await (await fetch(`${sesUrl}/store`)).json();
  const emails: unknown =
    typeof store === "object" && store !== null && "emails" in store ? store.emails : [];
  return (Array.isArray(emails) ? emails : []).filter(
    (mail): mail is StoredMail => typeof mail === "object" && mail !== null && "messageId" in mail,
  );
}

describe("dispatch against the emulators (dynalite, aws-ses-v2-local), wired by makeDispatchDeps", () => {
  it("an intent delivered twice yields exactly one email and one `sent` ledger entry with its message id", async () => {
    // Prepare: tables, the link secret file, the shipped campaigns and templates (compiled ahead, as the bundle carries them).
    const dir = mkdtempSync(path.join(tmpdir(), "tailor-dispatch-"));
    const env = loadEnv(
      dispatchEnvSchema,
      await dispatchTestEnv(dir, {
        profiles: await table("profiles", "pk"),
        ledger: await table("ledger", "customerId", "sk"),
        timers: await table("timers", "b", "k"),
        catalog: await createCatalogTable(dynamodb, "catalog", simulatorCatalogProducts(42)),
      }),
    );
    const deps = await makeDispatchDeps(env, { now: () => T0 });
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
    await profiles.put(customer("c-ada", { first_name: "Ada" }), undefined);
    const occurrence = "order-1";
    const intent = {
      key: sendKey("post-purchase", "c-ada", occurrence, 0),
      campaignId: "post-purchase",
      customerId: "c-ada",
      occurrence,
      step: 0,
      template: "post-purchase",
      dueAt: T0,
      startedAt: T0 - HOUR,
    };
    const body = JSON.stringify(intent);

    // Act: the same message delivered twice (two batches, as after a lost delete).
    const first = await dispatchSends(deps, [{ messageId: "m-1", body }]);
    const second = await dispatchSends(deps, [{ messageId: "m-1", body }]);

    // Assess
    expect(first.summary).toMatchObject({ sent: 1, failedRetryable: 0, failedPermanent: 0 });
    expect(second.summary).toMatchObject({ sent: 0, duplicates: 1 });
    const mails = (await inbox()).filter((mail) => mail.destination.to.includes("c-ada@example.com"));
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe("Thank you for your order, Ada!");
    // Every link into the shop is tagged for attribution; only the signed links are left as they are.
    const shopLinks = [...(mail?.body.html ?? "").matchAll(/href="(https:\/\/shop\.example\.com[^"]*)"/g)];
    expect(shopLinks.length).toBeGreaterThan(0);
    for (const [, href] of shopLinks) expect(href).toContain("utm_source=tailor");
    const unsubscribe = mail?.headers?.find((header) => header.name === "List-Unsubscribe")?.value ?? "";
    expect(unsubscribe.startsWith("<https://api.example.com/unsubscribe?t=")).toBe(true);
    expect(mail?.headers).toContainEqual({
      name: "List-Unsubscribe-Post",
      value: "List-Unsubscribe=One-Click",
    });
    const ledger = new DynamoSendLedger({ client: dynamodb, tableName: env.LEDGER_TABLE });
    const entries = await ledger.recent("c-ada", 0);
    expect(entries).toEqual([
      expect.objectContaining({ key: intent.key, outcome: "sent", messageId: mail?.messageId, variant: "a" }),
    ]);
  });
});
