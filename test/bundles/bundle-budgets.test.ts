import { beforeAll, describe, expect, it } from "vitest";
import { bundleFunctions, type FunctionBundle, functionEntries } from "#infra/function-bundles.js";
import { BUNDLE_BUDGETS } from "./bundle-budgets.js";

/** Packages that only the build, the CLI or the local stack may load: none of them runs in a function. */
const BUILD_TIME = [
  "node_modules/mjml",
  "node_modules/mjml-core",
  "node_modules/typescript",
  "node_modules/html-to-text",
  "node_modules/esbuild",
  "node_modules/aws-cdk-lib",
];
/** Project folders that never ship: the simulator and the template compiler. */
const BUILD_TIME_FOLDERS = ["shared/sim/", "shared/render/compile/", "infra/", "cli/", "test/", "bench/"];

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

/** What an over-budget bundle is made of: its largest inputs and how the handler reaches each. */
function explain(bundle: FunctionBundle, budget: number): string {
  const top = bundle.inputs
    .slice(0, 10)
    .map(
      (input) => `  ${kb(input.bytes).padStart(8)}  ${input.name}\n            via ${input.via.join(" → ")}`,
    );
  return (
    `${bundle.name}: ${kb(bundle.code.length)} over its budget of ${kb(budget)} ` +
    `(test/bundles/bundle-budgets.ts); largest inputs:\n${top.join("\n")}`
  );
}

describe("function bundles (esbuild as the CDK runs it, minified as deployed)", () => {
  let bundles: readonly FunctionBundle[] = [];
  beforeAll(async () => {
    // Once for every test of the file: one esbuild run over every entry.
    bundles = await bundleFunctions({ sourceMap: false });
  }, 120_000);

  it("has a budget for every function and no budget for a function that is gone", () => {
    expect(Object.keys(BUNDLE_BUDGETS).sort()).toEqual(functionEntries().map(({ name }) => name));
  });

  it("keeps every function's bundle under its budget", () => {
    expect(bundles.length).toBe(functionEntries().length);
    const over = bundles.flatMap((bundle) => {
      const budget = BUNDLE_BUDGETS[bundle.name] ?? 0;
      return bundle.code.length > budget ? [explain(bundle, budget)] : [];
    });
    expect(over, over.join("\n\n")).toEqual([]);
  });

  it("bundles no build-time module: no compiler, no simulator, no CDK", () => {
    const found = bundles.flatMap((bundle) =>
      bundle.inputs
        .filter(
          (input) =>
            BUILD_TIME.includes(input.name) ||
            BUILD_TIME_FOLDERS.some((folder) => input.name.startsWith(folder)),
        )
        .map((input) => `${bundle.name}: ${input.name} (${kb(input.bytes)}) via ${input.via.join(" → ")}`),
    );
    expect(found, found.join("\n")).toEqual([]);
  });

  it("names the function, its size and its largest inputs with the import chain to each when over", () => {
    const dispatch = bundles.find((bundle) => bundle.name === "dispatch");
    if (dispatch === undefined) throw new Error("no dispatch bundle");
    // The renderer is what dispatch runs: there, reached from the handler, and sized.
    const renderer = dispatch.inputs.find((input) => input.name === "shared/render/email-renderer.ts");
    expect(renderer?.bytes).toBeGreaterThan(0);
    expect(renderer?.via[0]).toBe("functions/dispatch/handler.ts");
    expect(renderer?.via.at(-1)).toBe("shared/render/email-renderer.ts");
    const sizes = dispatch.inputs.map((input) => input.bytes);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    // A budget of 1 byte: the report a real overrun would print.
    const report = explain(dispatch, 1);
    expect(report).toMatch(/^dispatch: \d+ kB over its budget of 0 kB \(test\/bundles\/bundle-budgets\.ts\)/);
    expect(report).toContain(`${dispatch.inputs[0]?.name}\n            via functions/dispatch/handler.ts → `);
    expect(report.split("\n").filter((line) => line.includes(" via ")).length).toBe(10);
  });
});
