import { describe, expect, it } from "vitest";
import { matchesPattern, parseEventPattern } from "#infra/local/event-pattern.js";
import { targetPayload, valueAtPath } from "#infra/local/target-input.js";

const sesDelivery = {
  version: "0",
  id: "e-1",
  source: "aws.ses",
  "detail-type": "Email Delivered",
  time: "2026-11-23T09:00:00Z",
  detail: { eventType: "Delivery", mail: { tags: { campaign: ["cart"] } } },
};

function pattern(input: unknown) {
  const parsed = parseEventPattern(input);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.pattern;
}

describe("event patterns", () => {
  it("matches exact values on top-level fields, detail-type and nested detail fields", () => {
    expect(matchesPattern(pattern({ source: ["aws.ses"] }), sesDelivery)).toBe(true);
    expect(matchesPattern(pattern('{"source":["aws.ses"]}'), sesDelivery)).toBe(true);
    expect(matchesPattern(pattern({ source: ["aws.s3"] }), sesDelivery)).toBe(false);
    expect(
      matchesPattern(
        pattern({ source: ["aws.ses"], "detail-type": ["Email Bounced", "Email Delivered"] }),
        sesDelivery,
      ),
    ).toBe(true);
    expect(
      matchesPattern(pattern({ source: ["aws.ses"], "detail-type": ["Email Bounced"] }), sesDelivery),
    ).toBe(false);
    expect(matchesPattern(pattern({ detail: { eventType: ["Delivery"] } }), sesDelivery)).toBe(true);
    // A list in the event matches when one of its values is allowed.
    expect(matchesPattern(pattern({ detail: { mail: { tags: { campaign: ["cart"] } } } }), sesDelivery)).toBe(
      true,
    );
    expect(matchesPattern(pattern({ detail: { missing: ["x"] } }), sesDelivery)).toBe(false);
  });

  it("knows prefix, exists and anything-but, and refuses other filters", () => {
    expect(matchesPattern(pattern({ "detail-type": [{ prefix: "Email " }] }), sesDelivery)).toBe(true);
    expect(matchesPattern(pattern({ detail: { nope: [{ exists: false }] } }), sesDelivery)).toBe(true);
    expect(matchesPattern(pattern({ detail: { eventType: [{ exists: false }] } }), sesDelivery)).toBe(false);
    expect(matchesPattern(pattern({ source: [{ "anything-but": ["aws.ses"] }] }), sesDelivery)).toBe(false);
    expect(parseEventPattern({ detail: { n: [{ numeric: [">", 0] }] } })).toMatchObject({
      ok: false,
      reason: expect.stringContaining("detail.n"),
    });
    expect(parseEventPattern(undefined)).toMatchObject({ ok: false });
  });
});

describe("target input", () => {
  const rule = { name: "tailor-campaign-weekly", arn: "arn:aws:events:us-east-1:000000000000:rule/x" };

  it("passes the Input instead of the event, and the event when there is no input setting", () => {
    expect(targetPayload({ kind: "constant", value: { campaignId: "weekly" } }, sesDelivery, rule)).toEqual({
      campaignId: "weekly",
    });
    expect(targetPayload({ kind: "event" }, sesDelivery, rule)).toEqual(sesDelivery);
  });

  it("fills an InputTransformer template as CDK writes it for RuleTargetInput.fromObject with EventField.time", () => {
    const payload = targetPayload(
      {
        kind: "transformer",
        paths: { time: "$.time", kind: "$.detail.eventType" },
        template:
          '{"campaignId":"weekly","time":<time>,"label":"kind <kind>","quoted":"<kind>","rule":<aws.events.rule-name>}',
      },
      sesDelivery,
      rule,
    );
    expect(payload).toEqual({
      campaignId: "weekly",
      time: "2026-11-23T09:00:00Z",
      label: "kind Delivery",
      quoted: "Delivery",
      rule: "tailor-campaign-weekly",
    });
    expect(valueAtPath({ a: [{ b: 1 }] }, "$.a[0].b")).toBe(1);
  });
});
