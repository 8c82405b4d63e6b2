import { describe, expect, it } from "vitest";
import { checkCampaignDefinition } from "#shared/domain/campaigns/index.js";
import { parseSegmentDefinition } from "#shared/domain/segments/index.js";

/**
 * Segment ids, model names and campaign ids key maps in the profile item (`sg`, `sc`, `xa`): a name that plain
 * objects reserve could not be stored there (the SDK refuses an own `constructor` key), so the build refuses it.
 */
describe("names that key maps in the profile item", () => {
  it.each(["constructor", "prototype"])("refuses the segment id %s with the rule", (id) => {
    const result = parseSegmentDefinition({
      id,
      name: "S",
      version: 1,
      rule: { lifecycle: { in: ["active"] } },
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toContainEqual(
      expect.objectContaining({ path: "id", message: expect.stringContaining("reserve") }),
    );
  });

  it("refuses a model name that plain objects reserve, and accepts an ordinary one", () => {
    const rule = (model: string) => ({ tier: { model, in: ["high"] } });
    const bad = parseSegmentDefinition({ id: "s", name: "S", version: 1, rule: rule("constructor") });
    const good = parseSegmentDefinition({ id: "s", name: "S", version: 1, rule: rule("purchase_30d") });
    expect(bad.ok).toBe(false);
    expect(good.ok).toBe(true);
  });

  it("refuses the campaign id constructor", () => {
    const result = checkCampaignDefinition({ id: "constructor", name: "C" });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).toContain("reserve");
  });
});
