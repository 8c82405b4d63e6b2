import { describe, expect, it } from "vitest";
import { parseCostArgs } from "#cli/cost-command.js";
import { estimateCost } from "#cli/cost-model.js";

const VOLUMES = { events: 50e6, profiles: 2e6, emails: 10e6, stream: "provisioned" } as const;

describe("tailor cost with the console on AWS", () => {
  it("prices nothing for the console unless it is deployed", () => {
    const estimate = estimateCost(VOLUMES);
    expect(estimate.lines.filter((line) => line.service === "Console")).toEqual([]);
  });

  it("adds Cognito per operator, CloudFront, the admin API and the page's key, growing with the operators", () => {
    const off = estimateCost(VOLUMES);
    const ten = estimateCost({ ...VOLUMES, console: { operators: 10 } });
    const hundred = estimateCost({ ...VOLUMES, console: { operators: 100 } });
    const consoleUsd = (estimate: typeof ten, item: string) =>
      estimate.lines
        .filter((line) => line.service === "Console" && line.item.includes(item))
        .reduce((s, l) => s + l.usd, 0);
    // Cognito Plus: $0.02 per monthly active user; the key: $1 a month whatever the use.
    expect(consoleUsd(ten, "Cognito")).toBeCloseTo(0.2, 6);
    expect(consoleUsd(hundred, "Cognito")).toBeCloseTo(2, 6);
    expect(consoleUsd(ten, "KMS key")).toBe(1);
    expect(consoleUsd(hundred, "KMS key")).toBe(1);
    // 10 operators × (400 page loads × 4 requests + 5,000 admin calls) at $0.01 per 10,000.
    expect(consoleUsd(ten, "CloudFront HTTPS requests")).toBeCloseTo(0.066, 6);
    expect(ten.totalUsd - off.totalUsd).toBeGreaterThan(1);
    expect(ten.totalUsd - off.totalUsd).toBeLessThan(3);
    expect(hundred.totalUsd).toBeGreaterThan(ten.totalUsd);
  });

  it("takes the operators from --console-operators", () => {
    const args = ["--events", "50M", "--profiles", "2M", "--emails", "10M"];
    expect(parseCostArgs([...args, "--console-operators", "12"]).volumes.console).toEqual({ operators: 12 });
    expect(parseCostArgs(args).volumes.console).toBeUndefined();
    expect(() => parseCostArgs([...args, "--console-operators", "some"])).toThrow(
      /--console-operators: expected a count/,
    );
  });
});
