import { describe, expect, it } from "vitest";
import { checkCampaignDefinition } from "#shared/domain/campaigns/index.js";
import { campaign, DAY, HOUR } from "./helpers.js";

const base = {
  id: "cart",
  name: "Cart",
  version: 1,
  purpose: "marketing",
  trigger: { event: "Product Added" },
  steps: [{ delay: "4h", template: "cart-abandonment" }],
};
const issuesOf = (raw: Record<string, unknown>) => {
  const checked = checkCampaignDefinition({ ...base, ...raw });
  return checked.ok ? [] : checked.issues.map(({ path, rule }) => `${path} [${rule}]`);
};

describe("campaign definition schema", () => {
  it("normalises a full definition", () => {
    const c = campaign({
      priority: 5,
      trigger: { event: "product_added", where: { category: "Shoes", price: { in: [100, 200] } } },
      steps: [
        { delay: "4h", template: "cart-abandonment" },
        { delay: "2d", template: "cart-abandonment" },
      ],
      exitWhen: ["order completed"],
      variants: [{ id: "a" }, { id: "b", weight: 3, subject: "Still thinking?" }],
      holdout: 0.1,
      policy: {
        frequencyCap: { max: 3, per: "7d" },
        quietHours: { start: "21:00", end: "08:00", defaultTimeZone: "Europe/Paris" },
      },
    });
    expect(c.trigger).toEqual({
      kind: "event",
      event: { kind: "product_added", name: "Product Added" },
      where: { category: { op: "eq", value: "Shoes" }, price: { op: "in", values: [100, 200] } },
    });
    expect(c.steps.map((s) => s.delayMs)).toEqual([4 * HOUR, 2 * DAY]);
    expect(c.exitWhen).toEqual([{ kind: "order_completed", name: "Order Completed" }]);
    expect(c.exitWhenCartEmpty).toBeUndefined();
    const emptying = campaign({ steps: [{ template: "welcome" }], exitWhenCartEmpty: true });
    expect(emptying.exitWhenCartEmpty).toBe(true);
    expect(c.variants).toEqual([
      { id: "a", weight: 1 },
      { id: "b", weight: 3, subject: "Still thinking?" },
    ]);
    expect(c.reentry).toEqual({ kind: "after", ms: 2 * DAY, text: "2d" });
    expect(c.experiment).toBe("cart");
    expect(c.policy.frequencyCap).toEqual({ max: 3, perMs: 7 * DAY, per: "7d" });
    expect(c.policy.quietHours).toMatchObject({
      startMinute: 21 * 60,
      endMinute: 8 * 60,
      defaultTimeZone: "Europe/Paris",
    });
  });

  it("defaults: priority 0, immediate step, no exits, variant a, no holdout, no policy", () => {
    const c = campaign({ steps: [{ template: "welcome" }] });
    expect([c.priority, c.steps[0]?.delayMs, c.exitWhen, c.variants, c.holdout, c.policy]).toEqual([
      0,
      0,
      [],
      [{ id: "a", weight: 1 }],
      0,
      {},
    ]);
  });

  it.each([
    [{ purpose: "promo" }, "purpose [one_of]"],
    [{ id: "Cart_1" }, "id [invalid_format]"],
    [{ steps: [] }, "steps [too_small]"],
    [{ steps: [{ delay: "4 hours", template: "cart-abandonment" }] }, "steps[0].delay [duration]"],
    [{ steps: [{ delay: "91d", template: "cart-abandonment" }] }, "steps[0].delay [duration]"],
    [
      {
        steps: [
          { delay: "4h", template: "x" },
          { delay: "4h", template: "x" },
        ],
      },
      "steps[1].delay [step_order]",
    ],
    [{ trigger: {} }, "trigger [one_trigger]"],
    [{ trigger: { event: "Product Added", segment: "lapsed" } }, "trigger [one_trigger]"],
    [{ trigger: { segment: "lapsed" } }, "trigger.on [required]"],
    [{ trigger: { segment: "lapsed", on: "entered", where: { a: 1 } } }, "trigger.where [trigger_key]"],
    [{ trigger: { schedule: "every week", audience: "vip" } }, "trigger.schedule [schedule]"],
    [{ trigger: { schedule: "rate(1 days)", audience: "vip" } }, "trigger.schedule [schedule]"],
    [{ trigger: { schedule: "cron(0 9 * * MON *)", audience: "vip" } }, "trigger.schedule [schedule]"],
    [{ trigger: { schedule: "rate(7 days)" } }, "trigger.audience [required]"],
    [{ exitWhen: ["Wishlist Shared"] }, "exitWhen[0] [known_event]"],
    [{ exitWhenCartEmpty: "yes" }, "exitWhenCartEmpty [type]"],
    [{ variants: [{ id: "a" }, { id: "a" }] }, "variants[1].id [duplicate_variant]"],
    [{ variants: [{ id: "a", weight: 0 }] }, "variants[0].weight [too_small]"],
    [{ holdout: 0.9 }, "holdout [too_big]"],
    [{ reentry: "sometimes" }, "reentry [reentry]"],
    [{ trigger: { segment: "lapsed", on: "entered" }, reentry: "once" }, "reentry [reentry]"],
    [{ policy: { quietHours: { start: "9pm", end: "08:00" } } }, "policy.quietHours.start [invalid_format]"],
    [{ policy: { quietHours: { start: "08:00", end: "08:00" } } }, "policy.quietHours [quiet_hours]"],
    [
      { policy: { quietHours: { start: "21:00", end: "08:00", defaultTimeZone: "Paris" } } },
      "policy.quietHours.defaultTimeZone [time_zone]",
    ],
    [{ policy: { frequencyCap: { max: 3, per: "0m" } } }, "policy.frequencyCap.per [duration]"],
    [{ colour: "red" }, " [unknown_key]"],
  ])("refuses %j with %s", (raw, expected) => {
    expect(issuesOf(raw)).toContain(expected);
  });

  it("accepts the schedule forms EventBridge accepts", () => {
    for (const schedule of [
      "rate(1 day)",
      "rate(7 days)",
      "rate(30 minutes)",
      "cron(0 9 ? * MON *)",
      "cron(0 8 1 * ? *)",
    ]) {
      expect(issuesOf({ trigger: { schedule, audience: "vip" } })).toEqual([]);
    }
  });
});
