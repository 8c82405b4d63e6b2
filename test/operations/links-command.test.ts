import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { linksCommand } from "#cli/links-command.js";
import { parseLinkKeyRing, signLinkToken, verifyUnsubscribeToken } from "#shared/render/index.js";
import { captureOutput } from "../support/capture-output.js";
import { DAY, PLAIN, T0 } from "../support/link-key-fixtures.js";

const dirs: string[] = [];

/** A data dir whose link secret file holds `value`, as the local stack leaves it. */
function dataDirWith(value: string): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "tailor-links-"));
  dirs.push(dir);
  mkdirSync(path.join(dir, "secrets"));
  const file = path.join(dir, "secrets", "tailor-link-secret");
  writeFileSync(file, value, { mode: 0o600 });
  return { dir, file };
}

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"], now: T0 });
});
afterAll(() => vi.useRealTimers());
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("tailor links, on the local stack's secret file", () => {
  it("rotates a plain secret into a ring: the old key is k0, retired now, and still verifies its links", async () => {
    // GIVEN a data dir from before key rings, and a link it signed
    const { dir, file } = dataDirWith(PLAIN);
    const link = signLinkToken(
      { purpose: "unsubscribe", customerId: "c-1", campaignId: "w", expiresAt: T0 + 60 * DAY },
      PLAIN,
    );
    // WHEN it is rotated
    const rotated = await captureOutput(() => linksCommand(["rotate", "--data-dir", dir]));
    // THEN k1 is current, k0 retired until the grace ends, the file is still the owner's only
    expect(rotated.code, rotated.err).toBe(0);
    expect(rotated.out).toContain("k1 signs new links from now");
    expect(rotated.out).toContain(
      `k0   retired  retired ${new Date(T0).toISOString()}, verifies links until ${new Date(T0 + 90 * DAY).toISOString()}`,
    );
    const ring = parseLinkKeyRing(readFileSync(file, "utf8"));
    expect(ring.current.id).toBe("k1");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(verifyUnsubscribeToken(link, ring, T0 + 59 * DAY)).toMatchObject({ ok: true, keyId: "k0" });
    // ...and no secret was printed
    expect(rotated.out).not.toContain(PLAIN);
    expect(rotated.out).not.toContain(ring.current.secret);
  });

  it("lists ids, states and expiry; a later rotation past the grace removes the expired key", async () => {
    const { dir, file } = dataDirWith(JSON.stringify({ current: "k1", k1: "k".repeat(48) }));
    expect((await captureOutput(() => linksCommand(["rotate", "--data-dir", dir]))).code).toBe(0);
    vi.setSystemTime(T0 + 91 * DAY);
    const listed = await captureOutput(() => linksCommand(["keys", "--data-dir", dir, "--json"]));
    expect(JSON.parse(listed.out).keys).toEqual([
      { id: "k2", state: "current" },
      { id: "k1", state: "expired", retiredAt: T0, expiresAt: T0 + 90 * DAY },
    ]);
    expect(listed.out).not.toContain("k".repeat(48));
    const again = await captureOutput(() => linksCommand(["rotate", "--data-dir", dir, "--json"]));
    expect(JSON.parse(again.out)).toMatchObject({ added: "k3", retired: "k2", removed: ["k1"] });
    expect(
      parseLinkKeyRing(readFileSync(file, "utf8"))
        .keys.map((key) => key.id)
        .sort(),
    ).toEqual(["k2", "k3"]);
    vi.setSystemTime(T0);
  });

  it("refuses a missing secret file, a bad grace and a wrong action, naming the fix", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "tailor-links-"));
    dirs.push(empty);
    await expect(linksCommand(["keys", "--data-dir", empty])).rejects.toThrow(/start the local stack once/);
    const { dir } = dataDirWith(PLAIN);
    await expect(linksCommand(["rotate", "--data-dir", dir, "--grace-days", "3 months"])).rejects.toThrow(
      /--grace-days: expected a whole number of days/,
    );
    await expect(linksCommand(["revoke", "--data-dir", dir])).rejects.toThrow(
      /usage: tailor links keys \| rotate/,
    );
  });
});

describe("tailor links --secret-arn, on the deployed secret", () => {
  const secretsManager = mockClient(SecretsManagerClient);
  afterAll(() => secretsManager.restore());

  it("reads the secret and puts the rotated ring as a new version", async () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tailor-link-secret-AbCdEf";
    const generated = JSON.stringify({ current: "k1", k1: "g".repeat(48) });
    secretsManager
      .on(GetSecretValueCommand, { SecretId: arn })
      .resolves({ ARN: arn, SecretString: generated });
    secretsManager.on(PutSecretValueCommand).resolves({ ARN: arn, VersionId: "v2" });
    const rotated = await captureOutput(() =>
      linksCommand(["rotate", "--secret-arn", arn, "--region", "eu-west-1"]),
    );
    expect(rotated.code, rotated.err).toBe(0);
    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    const input = put?.args[0].input;
    expect(input?.SecretId).toBe(arn);
    expect(input?.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    const ring = parseLinkKeyRing(input?.SecretString ?? "");
    expect(ring.current.id).toBe("k2");
    expect(ring.keys.find((key) => key.id === "k1")).toEqual({
      id: "k1",
      secret: "g".repeat(48),
      retiredAt: T0,
    });
  });
});
