import { App, Stack } from "aws-cdk-lib";
import { describe, expect, it } from "vitest";
import { resolveCatalogSettings } from "#infra/components/catalog-settings.js";

describe("catalog settings", () => {
  it("default to a 300 s cache and a 0.5 retire share, and take props over the context", () => {
    // GIVEN a stack with context, WHEN resolved, THEN props win, then context, then defaults
    const node = new Stack(new App({ context: { catalogCacheSeconds: "120" } }), "S").node;
    expect(resolveCatalogSettings({}, new Stack(new App(), "D").node)).toEqual({
      cacheSeconds: 300,
      maxRetireShare: 0.5,
    });
    expect(resolveCatalogSettings({}, node).cacheSeconds).toBe(120);
    expect(resolveCatalogSettings({ catalogCacheSeconds: 0, catalogMaxRetireShare: 1 }, node)).toEqual({
      cacheSeconds: 0,
      maxRetireShare: 1,
    });
  });

  it("refuse a value out of range, naming the setting and an example", () => {
    const node = new Stack(new App(), "S").node;
    expect(() => resolveCatalogSettings({ catalogCacheSeconds: 7200 }, node)).toThrow(
      /catalogCacheSeconds must be a whole number of seconds from 0 to 3600 \(e\.g\. -c catalogCacheSeconds=120\), got 7200/,
    );
    expect(() => resolveCatalogSettings({ catalogMaxRetireShare: 2 }, node)).toThrow(
      /catalogMaxRetireShare must be a share from 0 to 1/,
    );
  });
});
