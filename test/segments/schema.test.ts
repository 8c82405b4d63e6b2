import { describe, expect, it } from "vitest";
import {
  buildLibrary,
  MAX_RULE_DEPTH,
  parseDuration,
  parseSegmentDefinition,
  type SegmentDefinition,
  SegmentLibraryError,
} from "#shared/domain/segments/index.js";
import { definition } from "./helpers.js";

function issuesOf(raw: Record<string, unknown>) {
  const result = parseSegmentDefinition({ id: "s", name: "S", version: 1, ...raw });
  if (result.ok) throw new Error("expected the definition to be refused");
  return result.issues;
}

describe("durations", () => {
  it("reads minutes, hours and days", () => {
    expect(parseDuration("30m")).toBe(30 * 60_000);
    expect(parseDuration("24h")).toBe(24 * 3_600_000);
    expect(parseDuration("7d")).toBe(7 * 86_400_000);
    expect(parseDuration("7 days")).toBeUndefined();
    expect(parseDuration("-1h")).toBeUndefined();
  });
});

describe("parseSegmentDefinition", () => {
  it("normalises a definition: windows, counts, canonical event names", () => {
    const parsed = definition({
      rule: {
        all: [
          { event: { name: "product added", within: "48h" } },
          { noEventSince: { name: "order_completed", since: "Product Added" } },
          { event: { name: "Order Completed", within: "7d", moreThan: 1, atMost: 4 } },
        ],
      },
    });
    expect(parsed).toEqual({
      id: "test",
      name: "Test",
      version: 1,
      static: false,
      rule: {
        kind: "all",
        of: [
          {
            kind: "event",
            event: { kind: "product_added", name: "Product Added" },
            within: { unit: "hour", buckets: 48, text: "48h" },
            count: { min: 1, max: undefined },
            negated: false,
          },
          {
            kind: "noEventSince",
            event: { kind: "order_completed", name: "Order Completed" },
            since: { kind: "product_added", name: "Product Added" },
          },
          {
            kind: "event",
            event: { kind: "order_completed", name: "Order Completed" },
            within: { unit: "day", buckets: 7, text: "7d" },
            count: { min: 2, max: 4 },
            negated: false,
          },
        ],
      },
    });
  });

  it("names the path and the rule of every problem at once", () => {
    const issues = issuesOf({
      version: 0,
      rule: {
        all: [
          { event: { name: "Product Viewed", within: "30m" } },
          { trait: { path: "shoe_size", eq: 42 } },
          { evnt: { name: "x" } },
          { engagement: { openRate: { gt: 70 } } },
        ],
      },
    });
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.rule]));
    expect(byPath).toEqual({
      version: "too_small",
      "rule.all[0].event.within": "window",
      "rule.all[1].trait.path": "trait_path",
      "rule.all[2]": "unknown_key",
      "rule.all[3].engagement.openRate.gt": "too_big",
    });
    expect(issues.find((i) => i.path === "rule.all[2]")?.message).toMatch(/unknown condition "evnt".*event/);
    expect(issues.find((i) => i.path === "rule.all[3].engagement.openRate.gt")?.message).toMatch(
      /0\.7 for 70 %/,
    );
  });

  it("refuses windows that cannot be counted, and filters beyond the hourly tier", () => {
    const rule = (event: Record<string, unknown>) => issuesOf({ rule: { event } })[0];
    expect(rule({ name: "Product Viewed", within: "50h" })).toMatchObject({
      path: "rule.event.within",
      rule: "window",
    });
    expect(rule({ name: "Product Viewed", within: "91d" })).toMatchObject({ rule: "window" });
    expect(rule({ name: "Products Searched", within: "7d" })).toMatchObject({
      path: "rule.event.name",
      rule: "window_event",
    });
    expect(rule({ name: "Product Viewed", where: { category: "books" }, within: "7d" })).toMatchObject({
      path: "rule.event.where",
      rule: "where_window",
    });
    expect(rule({ name: "Email Opened", where: { category: "books" }, within: "7d" })).toMatchObject({
      rule: "where_event",
    });
    expect(rule({ name: "Product Viewed", within: "24h", atLeast: 3, atMost: 2 })).toMatchObject({
      path: "rule.event",
      rule: "count_range",
    });
  });

  it("wants exactly one condition per node and one operator per trait test", () => {
    expect(issuesOf({ rule: {} })[0]).toMatchObject({ path: "rule", rule: "one_condition" });
    expect(issuesOf({ rule: { inSegment: "a", not: { inSegment: "b" } } })[0]).toMatchObject({
      path: "rule",
      rule: "one_condition",
    });
    expect(issuesOf({ rule: { trait: { path: "country", eq: "FR", ne: "DE" } } })[0]).toMatchObject({
      path: "rule.trait",
      rule: "one_operator",
    });
    expect(issuesOf({ rule: { all: [] } })[0]).toMatchObject({ path: "rule.all", rule: "too_small" });
    expect(issuesOf({ rule: "champions" })[0]).toMatchObject({ path: "rule", rule: "type" });
  });

  it("refuses rules nested too deep", () => {
    let rule: Record<string, unknown> = { inSegment: "a" };
    for (let i = 0; i < MAX_RULE_DEPTH; i++) rule = { not: rule };
    expect(issuesOf({ rule })[0]).toMatchObject({ path: "rule", rule: "depth" });
  });

  it("wants a rule unless static, and no rule when static", () => {
    expect(issuesOf({})[0]).toMatchObject({ path: "rule", rule: "required" });
    expect(issuesOf({ static: true, rule: { inSegment: "a" } })[0]).toMatchObject({
      path: "rule",
      rule: "static",
    });
    expect(definition({ static: true })).toEqual({ id: "test", name: "Test", version: 1, static: true });
  });

  it("checks ids, versions, unknown fields and enumerations", () => {
    const issues = issuesOf({ id: "Cart Abandoners", colour: "red", rule: { rfmCohort: "vips" } });
    const byPath = Object.fromEntries(issues.map((issue) => [issue.path, issue.rule]));
    expect(byPath).toEqual({ id: "invalid_format", "": "unknown_key", "rule.rfmCohort": "one_of" });
    expect(issuesOf({ version: "1", rule: { inSegment: "a" } })[0]).toMatchObject({
      path: "version",
      rule: "type",
    });
    expect(
      issuesOf({ rule: { noEventSince: { name: "Products Searched", since: "Product Added" } } })[0],
    ).toMatchObject({
      path: "rule.noEventSince.name",
      rule: "known_event",
    });
  });
});

describe("buildLibrary", () => {
  const refers = (id: string, ...others: string[]): SegmentDefinition =>
    definition({
      id,
      rule: others.length === 1 ? { inSegment: others[0] } : { all: others.map((o) => ({ inSegment: o })) },
    });
  const leaf = (id: string) => definition({ id, rule: { trait: { path: "country", eq: "FR" } } });

  it("puts every segment after the segments it refers to", () => {
    const library = buildLibrary([refers("c", "a", "b"), refers("b", "a"), leaf("a"), leaf("d")]);
    expect(library.definitions.map((d) => d.id)).toEqual(["a", "b", "c", "d"]);
    expect(library.byId.get("c")?.id).toBe("c");
  });

  it("refuses a cycle, naming it", () => {
    try {
      buildLibrary([refers("a", "b"), refers("b", "a"), leaf("c")]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SegmentLibraryError);
      if (!(error instanceof SegmentLibraryError)) return;
      expect(error.problems).toEqual([
        { segmentId: "b", path: "rule.inSegment", rule: "cycle", message: "cycle: a → b → a" },
      ]);
      expect(error.message).toContain("a → b → a");
      expect(error.retryable).toBe(false);
    }
  });

  it("refuses self-references, unknown segments and duplicate ids, all at once", () => {
    try {
      buildLibrary([refers("a", "a"), refers("b", "c", "zzz"), leaf("c"), leaf("c")]);
      expect.unreachable();
    } catch (error) {
      if (!(error instanceof SegmentLibraryError)) throw error;
      expect(error.problems.map((p) => [p.segmentId, p.path, p.rule, p.message])).toEqual([
        ["c", "id", "duplicate_id", "segment id c is defined more than once"],
        ["b", "rule.all[1].inSegment", "unknown_segment", "refers to unknown segment zzz"],
        ["a", "rule.inSegment", "cycle", "cycle: a → a"],
      ]);
    }
  });
});
