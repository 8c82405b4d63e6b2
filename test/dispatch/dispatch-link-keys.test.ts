import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import {
  type LinkKeyRing,
  parseLinkKeyRing,
  rotateLinkKeyRing,
  verifyUnsubscribeToken,
} from "#shared/render/index.js";
import { GENERATED, GRACE_MS, K2 } from "../support/link-key-fixtures.js";
import { campaign, customer, harness, intent, messages, T0 } from "./harness.js";

describe("dispatch signs each batch with the ring's current key", () => {
  it("a warm container picks a rotation up at its next batch; both links verify against the rotated ring", async () => {
    // GIVEN dispatch reading a ring (as through its cache) that is rotated between two batches
    let ring: LinkKeyRing = parseLinkKeyRing(GENERATED);
    const base = harness([campaign()], [customer("c-1"), customer("c-2")]);
    const deps = { ...base.deps, linkKeys: async () => ring };
    const tokenOf = (index: number) => {
      const header = base.mailer.sent[index]?.content.headers["List-Unsubscribe"] ?? "";
      return new URL(/^<(.+)>$/.exec(header)?.[1] ?? "http://x/").searchParams.get("t") ?? "";
    };

    // WHEN one batch goes out before the rotation and one after
    await dispatchSends(deps, messages(intent("cart", "c-1")));
    ring = rotateLinkKeyRing(ring, { secret: K2, now: T0, graceMs: GRACE_MS }).ring;
    await dispatchSends(deps, messages(intent("cart", "c-2")));

    // THEN the first link carries k1, the second k2, and both verify against the rotated ring
    expect(tokenOf(0).split(".")[0]).toBe("k1");
    expect(tokenOf(1).split(".")[0]).toBe("k2");
    for (const [index, keyId] of [
      [0, "k1"],
      [1, "k2"],
    ] as const) {
      expect(verifyUnsubscribeToken(tokenOf(index), ring, T0)).toMatchObject({ ok: true, keyId });
    }
  });
});
