import { describe, expect, it } from "vitest";
import {
  checkCampaignDefinition,
  decideSend,
  intentsForEvents,
  journeyIntents,
  nextWaitCheck,
  WAIT_MAX_CHECK_GAP_MS,
} from "#shared/domain/campaigns/index.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { rawEvents } from "../factories/events.js";
import { CUSTOMER, campaign, DAY, events, fold, HOUR, MINUTE, reachable } from "./helpers.js";

const T0 = Date.UTC(2026, 0, 14, 10);
const welcome = campaign({
  id: "welcome",
  trigger: { event: "Identify" },
  reentry: "once",
  waitFor: {},
  steps: [{ template: "welcome" }, { delay: "2d", template: "welcome" }],
});
const [first, second] = journeyIntents(welcome, CUSTOMER, "once", T0, T0);
const noEmail = { ...reachable(), t: {} };
const noConsent = { ...reachable(), c: {} };

describe("waitFor in a campaign file", () => {
  it("defaults to waiting 24 h for both the email address and the consent", () => {
    expect(welcome.waitFor).toEqual({ needs: ["email", "consent"], withinMs: DAY, within: "24h" });
  });

  it.each([
    [{ within: "0m" }, "wait_within"],
    [{ within: "8d" }, "wait_within"],
    [{ within: "soon" }, "wait_within"],
    [{ needs: ["email", "email"] }, "duplicate_need"],
    [{ needs: ["phone"] }, "one_of"],
    [{ needs: [] }, "too_small"],
  ])("rejects waitFor %j (%s)", (waitFor, rule) => {
    const checked = checkCampaignDefinition({
      id: "w",
      name: "W",
      version: 1,
      purpose: "marketing",
      trigger: { event: "Identify" },
      steps: [{ template: "welcome" }],
      waitFor,
    });
    expect(checked.ok ? [] : checked.issues.map((issue) => issue.rule)).toContain(rule);
  });

  it("rejects a transactional campaign waiting for consent, accepts it waiting for an email", () => {
    const raw = {
      id: "receipt",
      name: "Receipt",
      version: 1,
      purpose: "transactional",
      trigger: { event: "Order Completed" },
      steps: [{ template: "welcome" }],
    };
    const consent = checkCampaignDefinition({ ...raw, waitFor: { needs: ["consent"] } });
    expect(consent.ok ? [] : consent.issues.map((issue) => [issue.path, issue.rule])).toEqual([
      ["waitFor.needs", "wait_consent"],
    ]);
    expect(checkCampaignDefinition({ ...raw, waitFor: { needs: ["email"], within: "2h" } }).ok).toBe(true);
  });
});

describe("decideSend for a campaign that waits", () => {
  it("defers an email missing its address or consent, re-checking after 1, 2, 4 … minutes, at most hourly", () => {
    if (first === undefined) throw new Error("no first step");
    expect(decideSend(first, welcome, noEmail, [], T0)).toEqual({
      kind: "defer",
      until: T0 + MINUTE,
      reason: "waiting: no email address (until 2026-01-15T10:00:00.000Z)",
    });
    expect(decideSend(first, welcome, noConsent, [], T0 + 3 * MINUTE)).toMatchObject({
      kind: "defer",
      until: T0 + 6 * MINUTE,
    });
    expect(nextWaitCheck(T0, T0 + 5 * HOUR, T0 + DAY)).toBe(T0 + 5 * HOUR + WAIT_MAX_CHECK_GAP_MS);
    expect(nextWaitCheck(T0, T0 + DAY - MINUTE, T0 + DAY)).toBe(T0 + DAY);
  });

  it("sends as soon as both are there within the window; skips with the reason once it has closed", () => {
    if (first === undefined) throw new Error("no first step");
    expect(decideSend(first, welcome, reachable(), [], T0 + DAY - 1)).toMatchObject({ kind: "send" });
    expect(decideSend(first, welcome, noConsent, [], T0 + DAY)).toEqual({
      kind: "skip",
      reason: "no consent: marketing_email not granted (waited 24h)",
    });
  });

  it("counts each step's window from its own due time", () => {
    if (second === undefined) throw new Error("no second step");
    expect(decideSend(second, welcome, noEmail, [], T0 + 2 * DAY + HOUR)).toMatchObject({ kind: "defer" });
    expect(decideSend(second, welcome, noEmail, [], T0 + 3 * DAY)).toMatchObject({ kind: "skip" });
  });

  it("never waits out a suppression, nor what the campaign does not wait for", () => {
    if (first === undefined) throw new Error("no first step");
    const bounced = { ...noConsent, s: { hard_bounce: { r: "bounce", at: 0 } } };
    expect(decideSend(first, welcome, bounced, [], T0)).toEqual({
      kind: "skip",
      reason: "suppressed: hard bounce",
    });
    const emailOnly = campaign({ id: "welcome", waitFor: { needs: ["email"] } });
    expect(decideSend(first, emailOnly, noConsent, [], T0)).toEqual({
      kind: "skip",
      reason: "no consent: marketing_email not granted",
    });
  });

  it("skips a waiting email whose journey has ended", () => {
    const cart = campaign({ exitWhen: ["Order Completed"], waitFor: { needs: ["consent"] } });
    const [step] = journeyIntents(cart, CUSTOMER, String(T0), T0, T0);
    if (step === undefined) throw new Error("no step");
    const ordered = fold(
      noConsent,
      T0 + 5 * HOUR,
      events(rawEvents.orderCompleted({}, { timestamp: T0 + 5 * HOUR })),
    );
    expect(decideSend(step, cart, ordered, [], T0 + 5 * HOUR)).toEqual({
      kind: "skip",
      reason: "exited: Order Completed",
    });
  });
});

describe("the welcome starter", () => {
  const library = loadCampaignLibrary("templates/campaigns", {
    templates: "templates/emails",
    segments: loadSegmentLibrary("templates/segments"),
  });

  it("starts on the first identify even without an email, and waits 24 h for the email and the consent", () => {
    const batch = events(rawEvents.identify({ email: undefined }, { timestamp: T0 }));
    const after = fold(undefined, T0, batch);
    const intents = intentsForEvents(library, undefined, after, batch, T0);
    const starter = library.byId.get("welcome");
    expect(after.t?.email).toBeUndefined();
    expect(intents.map((i) => i.key)).toEqual([`welcome#${CUSTOMER}#once#0`]);
    expect(starter?.waitFor).toEqual({ needs: ["email", "consent"], withinMs: DAY, within: "24h" });
    const [intent] = intents;
    if (intent === undefined || starter === undefined) throw new Error("no welcome");
    expect(decideSend(intent, starter, after, [], T0)).toMatchObject({ kind: "defer", until: T0 + MINUTE });
  });
});
