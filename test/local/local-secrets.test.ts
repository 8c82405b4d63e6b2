import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { localSecretFile } from "#infra/local/local-secrets.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), "tailor-secrets-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const RING = { template: '{"current":"k1"}', key: "k1" };

describe("local secret files", () => {
  it("generate into the template's key, as GenerateSecretString does: the link key ring with k1", () => {
    const file = localSecretFile(dataDir(), "tailor-link-secret", RING);
    const ring = parseLinkKeyRing(readFileSync(file, "utf8"));
    expect(ring.current.id).toBe("k1");
    expect(ring.current.secret).toMatch(/^[\w-]{48}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keep a data dir's plain value from before key rings (it verifies as the legacy key k0)", () => {
    const dir = dataDir();
    const plain = localSecretFile(dir, "tailor-link-secret");
    const value = readFileSync(plain, "utf8");
    expect(value).toMatch(/^[\w-]{48}$/);
    expect(readFileSync(localSecretFile(dir, "tailor-link-secret", RING), "utf8")).toBe(value);
    expect(parseLinkKeyRing(value).current.id).toBe("k0");
  });

  it("keep a rotated ring across runs", () => {
    const dir = dataDir();
    const file = localSecretFile(dir, "tailor-link-secret", RING);
    const rotated = JSON.stringify({
      current: "k2",
      k2: "b".repeat(48),
      k1: "a".repeat(48),
      retired: { k1: "2026-12-01T00:00:00.000Z" },
    });
    writeFileSync(file, rotated);
    expect(readFileSync(localSecretFile(dir, "tailor-link-secret", RING), "utf8")).toBe(rotated);
  });
});
