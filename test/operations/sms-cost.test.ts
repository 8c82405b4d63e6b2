import { describe, expect, it } from "vitest";
import { parseCostArgs } from "#cli/cost-command.js";
import { estimateCost } from "#cli/cost-model.js";
import { SMS_ASSUMED, SMS_PRICES } from "#cli/sms-cost.js";

const VOLUMES = { events: 50e6, profiles: 2e6, emails: 10e6, stream: "provisioned" } as const;
const smsUsd = (estimate: ReturnType<typeof estimateCost>, item?: string) =>
  estimate.lines
    .filter((line) => line.service === "SMS" && (item === undefined || line.item.includes(item)))
    .reduce((sum, line) => sum + line.usd, 0);

describe("tailor cost with SMS on", () => {
  it("prices nothing for SMS unless texts are sent", () => {
    expect(estimateCost(VOLUMES).lines.filter((line) => line.service === "SMS")).toEqual([]);
  });

  it("prices each part and its carrier fee, and grows with the texts", () => {
    const tenThousand = estimateCost({ ...VOLUMES, sms: { texts: 10_000 } });
    const million = estimateCost({ ...VOLUMES, sms: { texts: 1e6 } });
    const parts = 10_000 * SMS_ASSUMED.partsPerText;
    expect(smsUsd(tenThousand, "texts sent")).toBeCloseTo(parts * SMS_PRICES.outboundPart.usd, 6);
    expect(smsUsd(tenThousand, "carrier fees")).toBeCloseTo(parts * SMS_PRICES.carrierFee.usd, 6);
    // The fixed part (two keys, two alarms) does not grow; the texts do, about linearly.
    expect(smsUsd(tenThousand, "KMS")).toBe(2);
    expect(smsUsd(million, "KMS")).toBe(2);
    expect(smsUsd(million) / smsUsd(tenThousand)).toBeGreaterThan(50);
    expect(million.totalUsd - estimateCost(VOLUMES).totalUsd).toBeCloseTo(smsUsd(million), 6);
  });

  it("takes the texts from --texts", () => {
    const args = ["--events", "50M", "--profiles", "2M", "--emails", "10M"];
    expect(parseCostArgs([...args, "--texts", "250k"]).volumes.sms).toEqual({ texts: 250_000 });
    expect(parseCostArgs(args).volumes.sms).toBeUndefined();
    expect(() => parseCostArgs([...args, "--texts", "many"])).toThrow(/--texts: expected a count/);
  });
});
