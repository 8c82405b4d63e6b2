import { describe, expect, it } from "vitest";
import {
  basicAuthUser,
  CachedWriteKeyVerifier,
  UNKNOWN_WRITE_KEY_CACHE_MS,
  WRITE_KEY_CACHE_ENTRIES,
  WRITE_KEY_CACHE_MS,
} from "#shared/app/api/write-key-auth.js";
import {
  createWriteKey,
  revokeWriteKey,
  rotateWriteKey,
  WriteKeyRequestError,
} from "#shared/app/write-keys/manage-write-keys.js";
import { isWriteKeyShaped, writeKeyHash } from "#shared/domain/write-keys/write-key.js";
import { InMemoryWriteKeyRegistry } from "../fakes/in-memory-write-keys.js";

const T0 = Date.parse("2026-11-20T12:00:00Z");

function world() {
  const registry = new InMemoryWriteKeyRegistry();
  const clock = { now: () => state.now };
  const state = { now: T0, registry, clock, verifier: new CachedWriteKeyVerifier({ registry, clock }) };
  return state;
}

describe("write keys", () => {
  it("creates a key shown once: stored only as its SHA-256, with its source", async () => {
    const w = world();
    const { key, record } = await createWriteKey(w, "web");
    expect(isWriteKeyShaped(key)).toBe(true);
    expect(record).toMatchObject({ source: "web", createdAt: T0, hash: writeKeyHash(key) });
    expect(record.id).toMatch(/^wk_[0-9a-f]{12}$/);
    expect(JSON.stringify(await w.registry.list())).not.toContain(key);
    await expect(createWriteKey(w, "Web Site")).rejects.toThrow(WriteKeyRequestError);
  });

  it("verifies through a cache: a revocation takes effect once the cached lookup expires", async () => {
    const w = world();
    const { key, record } = await createWriteKey(w, "web");
    expect(await w.verifier.verify(key)).toEqual({ id: record.id, source: "web" });
    expect(await w.verifier.verify(key)).toBeDefined();
    expect(w.registry.lookups).toBe(1);
    await revokeWriteKey(w, record.id);
    w.now += WRITE_KEY_CACHE_MS - 1;
    expect(await w.verifier.verify(key)).toBeDefined();
    w.now += 1;
    expect(await w.verifier.verify(key)).toBeUndefined();
    expect(w.registry.lookups).toBe(2);
  });

  it("remembers an unknown key briefly and never looks up a string that is not key-shaped", async () => {
    const w = world();
    expect(await w.verifier.verify("hello")).toBeUndefined();
    expect(w.registry.lookups).toBe(0);
    const { key } = await createWriteKey({ ...w, registry: new InMemoryWriteKeyRegistry() }, "web");
    expect(await w.verifier.verify(key)).toBeUndefined();
    expect(await w.verifier.verify(key)).toBeUndefined();
    expect(w.registry.lookups).toBe(1);
    w.now += UNKNOWN_WRITE_KEY_CACHE_MS;
    await w.verifier.verify(key);
    expect(w.registry.lookups).toBe(2);
  });

  it("keeps at most WRITE_KEY_CACHE_ENTRIES keys: a flood of random keys evicts the oldest", async () => {
    const w = world();
    const { key } = await createWriteKey(w, "web");
    await w.verifier.verify(key);
    const stranger = new InMemoryWriteKeyRegistry();
    for (let i = 0; i < WRITE_KEY_CACHE_ENTRIES; i++) {
      await w.verifier.verify((await createWriteKey({ ...w, registry: stranger }, "x")).key);
    }
    const before = w.registry.lookups;
    await w.verifier.verify(key);
    expect(w.registry.lookups).toBe(before + 1);
  });

  it("rotates: a new key for the same source, the old one accepted until the grace period ends", async () => {
    const w = world();
    const old = await createWriteKey(w, "ios");
    const { issued, previous } = await rotateWriteKey(w, old.record.id, 3_600_000);
    expect(issued.record.source).toBe("ios");
    expect(issued.key).not.toBe(old.key);
    expect(previous.revokedAt).toBe(T0 + 3_600_000);
    expect(await w.verifier.verify(old.key)).toBeDefined();
    expect(await w.verifier.verify(issued.key)).toBeDefined();
    // the grace period's end is honoured even while the record is cached
    w.now = T0 + 3_600_000;
    expect(await w.verifier.verify(old.key)).toBeUndefined();
    expect(await w.verifier.verify(issued.key)).toBeDefined();
    await expect(rotateWriteKey(w, old.record.id, 0)).rejects.toThrow(/revoked already/);
    await expect(rotateWriteKey(w, "wk_nope", 0)).rejects.toThrow(/no write key/);
    await expect(revokeWriteKey(w, "wk_nope")).rejects.toThrow(/no write key/);
  });

  it("reads the key from Basic credentials: user name, empty password", () => {
    const header = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
    expect(basicAuthUser(header("tk_abc:"))).toBe("tk_abc");
    expect(basicAuthUser(header("tk_abc"))).toBe("tk_abc");
    expect(basicAuthUser(`basic ${Buffer.from("k:p").toString("base64")}`)).toBe("k");
    expect(basicAuthUser("Bearer x")).toBeUndefined();
    expect(basicAuthUser(undefined)).toBeUndefined();
  });
});
