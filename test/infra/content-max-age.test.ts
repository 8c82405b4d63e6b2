import { App, Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { resolveContentMaxAgeSeconds } from "#infra/components/api-settings.js";
import { SETTING_KEYS } from "#infra/components/setting-keys.js";

describe("contentMaxAgeSeconds (on-site content caching)", () => {
  it("defaults to 30 s, reads the context, and props win", () => {
    // GIVEN a stack with context, WHEN resolved, THEN props win, then context, then the default
    const node = new Stack(new App({ context: { contentMaxAgeSeconds: "120" } }), "S").node;
    expect(resolveContentMaxAgeSeconds({}, new Stack(new App(), "D").node)).toBe(30);
    expect(resolveContentMaxAgeSeconds({}, node)).toBe(120);
    expect(resolveContentMaxAgeSeconds({ contentMaxAgeSeconds: 0 }, node)).toBe(0);
    expect(SETTING_KEYS).toContain("contentMaxAgeSeconds");
  });

  it("refuses a value out of range, naming the setting and an example", () => {
    const node = new Stack(new App(), "S").node;
    const message =
      /contentMaxAgeSeconds must be a whole number of seconds from 0 to 3600 \(e\.g\. -c contentMaxAgeSeconds=30\)/;
    for (const bad of [7200, -1, 1.5]) {
      expect(() => resolveContentMaxAgeSeconds({ contentMaxAgeSeconds: bad }, node)).toThrow(message);
    }
    const worded = new Stack(new App({ context: { contentMaxAgeSeconds: "soon" } }), "W").node;
    expect(() => resolveContentMaxAgeSeconds({}, worded)).toThrow(/got "soon"/);
  });
});
