import { describe, expect, it } from "vitest";
import { z } from "zod";
import { functionEntries } from "#infra/function-bundles.js";
import { ENTRY_METADATA } from "#infra/local-names.js";
import { defaultApp } from "./shared-app.js";

const resourcesSchema = z.record(
  z.string(),
  z.looseObject({ Type: z.string(), Metadata: z.record(z.string(), z.unknown()).optional() }),
);

/** Entries of functions a setting adds to the stack. */
const OPTIONAL_ENTRIES = ["functions/sms-feedback/handler.ts"];

describe("the functions the bundle budgets build", () => {
  it("are the entries of every function of the stack, so no deployed bundle goes unchecked", () => {
    // GIVEN the app as the local stack builds it
    const { template } = defaultApp();
    // WHEN the entries of its Lambda functions are read
    const resources = Object.values(resourcesSchema.parse(template.toJSON().Resources));
    // (a function without one would be the CDK's own, e.g. a custom resource's handler, not bundled from here)
    const deployed = new Set(
      resources
        .filter((resource) => resource.Type === "AWS::Lambda::Function")
        .flatMap((resource) => {
          const entry = resource.Metadata?.[ENTRY_METADATA];
          return typeof entry === "string" ? [entry] : [];
        }),
    );
    // THEN the budgets' bundles are exactly those entries, and those of the optional functions, which the
    // default stack leaves out (SMS's feedback: test/long/sms-stack.long.ts finds it in the stack with SMS on)
    expect(deployed.size).toBeGreaterThan(0);
    expect([...deployed, ...OPTIONAL_ENTRIES].sort()).toEqual(functionEntries().map(({ entry }) => entry));
  });
});
