import { describe, expect, it } from "vitest";
import { RefreshingLinkKeys } from "#shared/app/api/link-key-source.js";
import { type LinkKeyRing, parseLinkKeyRing } from "#shared/render/link-keys.js";

const ring = (id: string): LinkKeyRing =>
  parseLinkKeyRing(JSON.stringify({ current: id, [id]: `key-${id}-0123456789abcdef0123456789abcdef` }));

/** A loader counting its reads past the cache; `fail` makes the next one throw. */
function loader() {
  const state = { fresh: 0, cached: 0, fail: false, value: ring("k1") };
  const load = async (fresh: boolean): Promise<LinkKeyRing> => {
    if (!fresh) {
      state.cached++;
      return ring("k1");
    }
    state.fresh++;
    if (state.fail) {
      state.fail = false;
      throw new Error("throttled");
    }
    return state.value;
  };
  return { state, load };
}

describe("RefreshingLinkKeys", () => {
  it("reads past the cache at most once per interval; concurrent refreshes share one read", async () => {
    let now = 0;
    const { state, load } = loader();
    const keys = new RefreshingLinkKeys({
      load,
      clock: { now: () => now },
      graceMs: 0,
      minRefreshMs: 10_000,
    });
    state.value = ring("k2");
    const rings = await Promise.all([keys.refresh(), keys.refresh(), keys.refresh()]);
    expect(rings.map((r) => r.current.id)).toEqual(["k2", "k2", "k2"]);
    expect(state.fresh).toBe(1);
    now = 9_999;
    state.value = ring("k3");
    expect((await keys.refresh()).current.id).toBe("k2");
    expect(state.fresh).toBe(1);
    now = 10_000;
    expect((await keys.refresh()).current.id).toBe("k3");
    expect(state.fresh).toBe(2);
  });

  it("a failed refresh is not counted: the next one reads again", async () => {
    const { state, load } = loader();
    const keys = new RefreshingLinkKeys({ load, clock: { now: () => 0 }, graceMs: 0 });
    state.fail = true;
    await expect(keys.refresh()).rejects.toThrow(/throttled/);
    expect((await keys.refresh()).current.id).toBe("k1");
    expect(state.fresh).toBe(2);
  });
});
