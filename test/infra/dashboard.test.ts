import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { DeadLetterQueue } from "#infra/components/dead-letter-queue.js";
import { DeliveryAlarms } from "#infra/components/delivery-alarms.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { sesEventDetailSchema } from "#shared/domain/email-feedback/ses-event-schema.js";
import { createObservability } from "#shared/lambda/middleware.js";
import { emitCampaignSends } from "#shared/lambda/reports/dispatch-report.js";
import { feedbackMetricNames } from "#shared/lambda/reports/ses-feedback-report.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "#shared/ports.js";
import { campaign, customer, harness, intent, messages } from "../dispatch/harness.js";
import { RecordingAcceptances } from "../feedback/recording-acceptances.js";
import * as ses from "../feedback/ses-fixtures.js";
import { emfSchema } from "../support/emf-records.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf } from "./template-queries.js";

// ---------------------------------------------------------------------------------------------------------------
// Reading the template

const joinSchema = z.object({ "Fn::Join": z.tuple([z.literal(""), z.array(z.unknown())]) });
const refSchema = z.object({ Ref: z.string() });
const getAttSchema = z.object({ "Fn::GetAtt": z.tuple([z.string(), z.string()]) });

/** A deploy-time value inside the dashboard's JSON, as a readable marker: `<Ref X>`, `<X.Arn>`. */
function marker(part: unknown): string {
  if (typeof part === "string") return part;
  const ref = refSchema.safeParse(part);
  if (ref.success) return `<Ref ${ref.data.Ref}>`;
  const att = getAttSchema.safeParse(part);
  if (att.success) return `<${att.data["Fn::GetAtt"][0]}.${att.data["Fn::GetAtt"][1]}>`;
  throw new Error(`unexpected intrinsic in the dashboard body: ${JSON.stringify(part)}`);
}

const widgetSchema = z.looseObject({
  type: z.string(),
  properties: z.looseObject({
    title: z.string().optional(),
    metrics: z.array(z.array(z.unknown())).optional(),
    alarms: z.array(z.string()).optional(),
    annotations: z.unknown().optional(),
  }),
});
type Widget = z.infer<typeof widgetSchema>;
const bodySchema = z.object({ widgets: z.array(widgetSchema) });

/** The widgets of the template's one dashboard, its `DashboardBody` parsed. */
function dashboardWidgets(template: Template): Widget[] {
  const dashboards = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
  expect(dashboards).toHaveLength(1);
  const body = z.object({ Properties: z.object({ DashboardBody: z.unknown() }) }).parse(dashboards[0])
    .Properties.DashboardBody;
  const text = typeof body === "string" ? body : joinSchema.parse(body)["Fn::Join"][1].map(marker).join("");
  return bodySchema.parse(JSON.parse(text)).widgets;
}

function widgetTitled(widgets: readonly Widget[], title: string): Widget {
  const found = widgets.find((widget) => widget.properties.title === title);
  if (found === undefined) throw new Error(`no widget titled ${title}`);
  return found;
}

/** The metric names a graph widget plots (its `[namespace, name, ...dimensions, options]` rows). */
function metricNames(widget: Widget): string[] {
  return (widget.properties.metrics ?? []).flatMap((row) =>
    typeof row[0] === "string" && typeof row[1] === "string" ? [row[1]] : [],
  );
}

/** The expressions a graph widget plots. */
function expressions(widget: Widget): string[] {
  return (widget.properties.metrics ?? []).flatMap((row) =>
    row.flatMap((cell) => {
      const parsed = z.object({ expression: z.string() }).safeParse(cell);
      return parsed.success ? [parsed.data.expression] : [];
    }),
  );
}

const alarmQuerySchema = z.looseObject({
  Id: z.string(),
  Expression: z.string().optional(),
  MetricStat: z
    .object({
      Metric: z.object({
        Namespace: z.string(),
        MetricName: z.string(),
        Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
      }),
      Period: z.number(),
      Stat: z.string(),
    })
    .optional(),
  ReturnData: z.boolean().optional(),
});
const alarmSchema = z.object({
  DependsOn: z.array(z.string()).optional(),
  Properties: z.looseObject({
    AlarmDescription: z.string(),
    ComparisonOperator: z.string(),
    Threshold: z.number().optional(),
    ThresholdMetricId: z.string().optional(),
    EvaluationPeriods: z.number(),
    MetricName: z.string().optional(),
    Namespace: z.string().optional(),
    Dimensions: z.array(z.object({ Name: z.string(), Value: z.unknown() })).optional(),
    Metrics: z.array(alarmQuerySchema).optional(),
    AlarmActions: z.array(z.unknown()),
  }),
});

function alarmOf(template: Template, logicalId: string) {
  return alarmSchema.parse(template.toJSON().Resources[logicalId]);
}

/** The app as the local stack builds it, shared by the CDK test files (stack.test.ts runs cdk-nag over it). */
const synthesised = defaultApp;

// ---------------------------------------------------------------------------------------------------------------

describe("pipeline dashboard and delivery alarms", () => {
  let stack: TailorStack;
  let template: Template;
  let widgets: Widget[];

  beforeAll(() => {
    // GIVEN the app, synthesised
    ({ stack, template } = synthesised());
    widgets = dashboardWidgets(template);
  });

  it("graphs every stage of the pipeline", () => {
    const titles = widgets.flatMap((widget) => widget.properties.title ?? []);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Alarms",
        "Events in",
        "Quarantined",
        "Iterator age (ms)",
        "Segment transitions (entries and exits)",
        "Send intents",
        "Sends by campaign and variant",
        "Skipped, deferred, held out",
        "Send volume and its expected band",
        "Engagement",
        "Bounce rate (%)",
        "Complaint rate (%)",
        "Dead-letter queues (messages)",
        "API errors",
      ]),
    );
    expect(metricNames(widgetTitled(widgets, "Events in"))).toContain("EventsIngested");
    expect(metricNames(widgetTitled(widgets, "Quarantined"))).toEqual(["EventsQuarantined"]);
    expect(metricNames(widgetTitled(widgets, "Iterator age (ms)"))).toEqual([
      "GetRecords.IteratorAgeMilliseconds",
    ]);
    expect(metricNames(widgetTitled(widgets, "Segment transitions (entries and exits)"))).toEqual([
      "SegmentTransitions",
      "SegmentTransitions",
    ]);
    expect(metricNames(widgetTitled(widgets, "Send intents"))).toEqual([
      "SendIntents",
      "SendIntents",
      "SendIntents",
    ]);
    expect(metricNames(widgetTitled(widgets, "Skipped, deferred, held out"))).toEqual(
      expect.arrayContaining(["SendsSkipped", "SendsDeferred", "SendsHeldOut"]),
    );
    expect(metricNames(widgetTitled(widgets, "API errors"))).toEqual(["4xx", "5xx"]);
    expect(metricNames(widgetTitled(widgets, "Raw event archive (records)"))).toEqual([
      "DataReadFromKinesisStream.Records",
      "DeliveryToS3.Records",
      "ArchiveRecordsFailed",
    ]);
    expect(metricNames(widgetTitled(widgets, "Raw event archive freshness (s)"))).toEqual([
      "DeliveryToS3.DataFreshness",
    ]);
  });

  it("searches sends over every campaign and variant dispatch publishes", () => {
    const [search, ...others] = expressions(widgetTitled(widgets, "Sends by campaign and variant"));
    expect(others).toEqual([]);
    expect(search).toBe(
      `SEARCH('{Tailor,campaign,service,variant} MetricName="CampaignSends" service="dispatch"', 'Sum', 300)`,
    );
  });

  it("computes bounce and complaint rates with metric math, marked at SES's review thresholds", () => {
    const bounce = widgetTitled(widgets, "Bounce rate (%)");
    expect(expressions(bounce)).toEqual(["100 * FILL(hard, 0) / (FILL(delivered, 0) + FILL(bounced, 0))"]);
    expect(metricNames(bounce)).toEqual(
      expect.arrayContaining(["EmailsDelivered", "EmailsBounced", "EmailsHardBounced"]),
    );
    expect(JSON.stringify(bounce.properties.annotations)).toContain('"value":5');
    const complaint = widgetTitled(widgets, "Complaint rate (%)");
    expect(expressions(complaint)).toEqual(["100 * FILL(complained, 0) / FILL(delivered, 0)"]);
    expect(JSON.stringify(complaint.properties.annotations)).toContain('"value":0.1');
  });

  it("graphs the depth of every dead-letter queue of the app, each already alarmed at more than 0", () => {
    // Every DeadLetterQueue construct in the app, found from the tree: a new one not on the dashboard fails here.
    const queues = stack.node
      .findAll()
      .filter((construct) => construct instanceof DeadLetterQueue)
      .map((dlq) => logicalIdOf(dlq.queue));
    expect(queues.length).toBeGreaterThanOrEqual(6);

    const graphed = JSON.stringify(widgetTitled(widgets, "Dead-letter queues (messages)").properties.metrics);
    const alarms = Object.entries(template.findResources("AWS::CloudWatch::Alarm")).map(([id, resource]) => ({
      id,
      alarm: alarmSchema.parse(resource),
    }));
    for (const queue of queues) {
      expect(graphed).toContain(`<${queue}.QueueName>`);
      const depth = alarms.filter(
        ({ alarm }) =>
          alarm.Properties.MetricName === "ApproximateNumberOfMessagesVisible" &&
          JSON.stringify(alarm.Properties.Dimensions).includes(`"${queue}"`),
      );
      expect(depth, `one depth alarm on ${queue}`).toHaveLength(1);
      expect(depth[0]?.alarm.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
      });
    }
  });

  it("shows every alarm of the app by state", () => {
    const shown = widgetTitled(widgets, "Alarms").properties.alarms ?? [];
    const declared = Object.keys(template.findResources("AWS::CloudWatch::Alarm"));
    expect(shown.toSorted()).toEqual(declared.map((id) => `<${id}.Arn>`).toSorted());
  });

  it("alarms on a hard-bounce rate above 5 % over an hour of at least 100 outcomes", () => {
    const alarm = alarmOf(template, logicalIdOf(stack.deliveryAlarms.bounceRate));
    expect(alarm.Properties).toMatchObject({
      Threshold: 5,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [{ Ref: logicalIdOf(stack.alarmTopic) }],
    });
    expect(alarm.Properties.AlarmDescription).toMatch(/SES reviews an account at 5 %/);
    const queries = alarm.Properties.Metrics ?? [];
    expect(queries.find((query) => query.ReturnData !== false)?.Expression).toBe(
      "IF((FILL(delivered, 0) + FILL(bounced, 0)) >= 100, 100 * FILL(hard, 0) / (FILL(delivered, 0) + FILL(bounced, 0)), 0)",
    );
    const byId = new Map(queries.map((query) => [query.Id, query.MetricStat]));
    expect(byId.get("hard")).toMatchObject({
      Metric: {
        Namespace: "Tailor",
        MetricName: "EmailsHardBounced",
        Dimensions: [{ Name: "service", Value: "ses-feedback" }],
      },
      Period: 3600,
      Stat: "Sum",
    });
    expect(byId.get("delivered")?.Metric.MetricName).toBe("EmailsDelivered");
    expect(byId.get("bounced")?.Metric.MetricName).toBe("EmailsBounced");
  });

  it("alarms on a complaint rate above 0.1 % over an hour of at least 100 deliveries", () => {
    const alarm = alarmOf(template, logicalIdOf(stack.deliveryAlarms.complaintRate));
    expect(alarm.Properties).toMatchObject({ Threshold: 0.1, ComparisonOperator: "GreaterThanThreshold" });
    expect(alarm.Properties.AlarmDescription).toMatch(/SES reviews an account at 0.1 %/);
    const queries = alarm.Properties.Metrics ?? [];
    expect(queries.find((query) => query.ReturnData !== false)?.Expression).toBe(
      "IF(FILL(delivered, 0) >= 100, 100 * FILL(complained, 0) / FILL(delivered, 0), 0)",
    );
    expect(queries.flatMap((query) => query.MetricStat?.Metric.MetricName ?? []).toSorted()).toEqual([
      "EmailsComplained",
      "EmailsDelivered",
    ]);
  });

  it("keeps the quarantine alarm ingest already declares (no duplicate)", () => {
    const quarantine = Object.values(template.findResources("AWS::CloudWatch::Alarm"))
      .map((resource) => alarmSchema.parse(resource))
      .filter((alarm) => alarm.Properties.MetricName === "EventsQuarantined");
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]?.Properties).toMatchObject({ Threshold: 0, Namespace: "Tailor" });
  });

  it("models send volume with an anomaly detector and alarms outside its band", () => {
    // THEN the detector models the sends dispatch counts
    // (the other five model the data-quality alarms' event types)
    template.resourceCountIs("AWS::CloudWatch::AnomalyDetector", 6);
    template.hasResourceProperties("AWS::CloudWatch::AnomalyDetector", {
      SingleMetricAnomalyDetector: {
        Namespace: "Tailor",
        MetricName: "SendsSent",
        Dimensions: [{ Name: "service", Value: "dispatch" }],
        Stat: "Sum",
      },
    });
    // AND the alarm compares the same metric and statistic with the band, after the detector exists
    const alarm = alarmOf(template, logicalIdOf(stack.deliveryAlarms.sendVolume));
    expect(alarm.Properties).toMatchObject({
      ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold",
      EvaluationPeriods: 3,
    });
    expect(alarm.Properties.Threshold).toBeUndefined();
    const queries = alarm.Properties.Metrics ?? [];
    const band = queries.find((query) => query.Id === alarm.Properties.ThresholdMetricId);
    const watched = queries.find((query) => query.MetricStat !== undefined);
    expect(band?.Expression).toBe(`ANOMALY_DETECTION_BAND(${watched?.Id}, 3)`);
    expect(watched?.MetricStat).toMatchObject({
      Metric: {
        Namespace: "Tailor",
        MetricName: "SendsSent",
        Dimensions: [{ Name: "service", Value: "dispatch" }],
      },
      Stat: "Sum",
      Period: 300,
    });
    expect(alarm.DependsOn).toContain(stack.getLogicalId(stack.deliveryAlarms.sendVolumeDetector));
    // AND the dashboard draws the band around the volume
    expect(expressions(widgetTitled(widgets, "Send volume and its expected band"))).toEqual([
      "ANOMALY_DETECTION_BAND(volume, 3)",
    ]);
  });

  it("refuses thresholds that cannot be percentages", () => {
    const make = (props: Partial<ConstructorParameters<typeof DeliveryAlarms>[2]>) => () => {
      const scope = new Stack(new App(), "S");
      new DeliveryAlarms(scope, "D", { alarmTopic: new Topic(scope, "T"), ...props });
    };
    expect(make({ maxBounceRatePercent: 0 })).toThrow(InfraConfigError);
    expect(make({ maxComplaintRatePercent: 120 })).toThrow(/maxComplaintRatePercent/);
    expect(make({ minHourlyVolume: 0.5 })).toThrow(/minHourlyVolume/);
    expect(make({ sendVolumeStdDevs: 0 })).toThrow(/sendVolumeStdDevs/);
    expect(make({ maxBounceRatePercent: 2 })).not.toThrow();
  });

  it("lets a deployment lower the bounce threshold", () => {
    // Built-in CloudFormation validation off: it only slows this test (the stack's checked build runs it).
    const scope = new Stack(new App({ builtinCloudFormationValidation: false }), "S");
    new DeliveryAlarms(scope, "D", { alarmTopic: new Topic(scope, "T"), maxBounceRatePercent: 2 });
    Template.fromStack(scope).hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 2,
      Metrics: Match.arrayWith([Match.objectLike({ Id: "hard" })]),
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The metrics the functions publish: the names the dashboard and alarms read

class RecordingWriter implements EventWriter {
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    return { accepted: records.length, rejected: [] };
  }
}

describe("ses-feedback metrics", () => {
  type HandlerModule = typeof import("#functions/ses-feedback/handler.js");
  let module: HandlerModule;

  beforeAll(async () => {
    vi.stubEnv("EVENTS_STREAM", "tailor-events");
    vi.stubEnv("LEDGER_TABLE", "tailor-ledger");
    vi.stubEnv("POWERTOOLS_SERVICE_NAME", "ses-feedback");
    vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Tailor");
    vi.stubEnv("AWS_REGION", "us-east-1");
    module = await import("#functions/ses-feedback/handler.js");
  });
  afterAll(() => vi.unstubAllEnvs());

  /** The counts one SES event adds, from the EMF record the function would print. */
  async function countsOf(fixture: ReturnType<typeof ses.envelope>): Promise<Record<string, unknown>> {
    const observability = createObservability({ serviceName: "ses-feedback", namespace: "Tailor" });
    vi.spyOn(observability.logger, "debug").mockImplementation(() => {});
    vi.spyOn(observability.logger, "warn").mockImplementation(() => {});
    await module.runWith(
      { events: new RecordingWriter(), acceptances: new RecordingAcceptances() },
      observability,
      {
        ...fixture,
        detail: sesEventDetailSchema.parse(fixture.detail),
      },
    );
    const emf = emfSchema.parse(observability.metrics.serializeMetrics());
    const names = emf._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((m) => m.Name));
    expect(emf._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([["service"]]);
    return Object.fromEntries(names.map((name) => [name, emf[name]]));
  }

  it.each([
    ["a delivery", ses.delivery(), { EmailsDelivered: 1 }],
    ["an open", ses.open(), { EmailsOpened: 1 }],
    ["a click", ses.click(), { EmailsClicked: 1 }],
    ["a hard bounce", ses.bounce("Permanent"), { EmailsBounced: 1, EmailsHardBounced: 1 }],
    ["a soft bounce", ses.bounce("Transient"), { EmailsBounced: 1 }],
    ["a complaint", ses.complaint(), { EmailsComplained: 1 }],
  ])("counts %s under its kind", async (_name, fixture, expected) => {
    const counts = await countsOf(fixture);
    expect(counts).toEqual({ FeedbackEvents: 1, ...expected });
  });

  it("counts an untracked event as skipped only", async () => {
    expect(await countsOf(ses.deliveryDelay())).toEqual({ FeedbackSkipped: 1 });
  });

  it("publishes every name the engagement graph and the rate alarms read", () => {
    // The dashboard's engagement metrics must be names the function can emit.
    const engagement = metricNames(widgetTitled(dashboardWidgets(synthesised().template), "Engagement"));
    const emitted = new Set(
      (["Email Delivered", "Email Opened", "Email Clicked", "Email Complained"] as const).flatMap((event) =>
        feedbackMetricNames({
          type: "track",
          messageId: "m",
          userId: "u",
          event,
          timestamp: "t",
          properties: {},
        }),
      ),
    );
    for (const name of feedbackMetricNames({
      type: "track",
      messageId: "m",
      userId: "u",
      event: "Email Bounced",
      timestamp: "t",
      properties: { bounce_type: "Permanent" },
    })) {
      emitted.add(name);
    }
    expect(engagement.filter((name) => !emitted.has(name))).toEqual([]);
    expect(emitted.has("EmailsHardBounced")).toBe(true);
  });
});

describe("dispatch sends by campaign and variant", () => {
  it("counts the sends by campaign and variant, as the ledger records them, holdouts and skips apart", async () => {
    // GIVEN a campaign with two variants and a holdout, and twenty customers
    const split = campaign({
      holdout: 0.2,
      variants: [
        { id: "a", weight: 1, subject: "A for you" },
        { id: "b", weight: 1, subject: "B for you" },
      ],
    });
    const ids = Array.from({ length: 20 }, (_, i) => `c-${i}`);
    const { deps, ledger } = harness(
      [split],
      ids.map((id) => customer(id)),
    );
    // WHEN dispatch sends to them, one intent twice
    const intents = ids.map((id) => intent("cart", id));
    const first = intents[0];
    if (first === undefined) throw new Error("no intent");
    const { summary } = await dispatchSends(deps, messages(...intents, first));

    // THEN the counts are the ledger's sent entries, grouped
    const expected = new Map<string, number>();
    for (const entry of ledger.log.filter((e) => e.outcome === "sent")) {
      const key = `${entry.campaignId}/${entry.variant}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    const counts = summary.sentByVariant;
    expect(new Map(counts.map((c) => [`${c.campaign}/${c.variant}`, c.count]))).toEqual(expected);
    // AND the test is not vacuous: both variants sent, someone held out, the duplicate not counted
    expect(expected.size).toBe(2);
    expect(ledger.log.some((e) => e.outcome === "holdout")).toBe(true);
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBeLessThan(intents.length);
  });

  it("publishes one CampaignSends record per campaign variant with the dimensions the dashboard searches", () => {
    const observability = createObservability({ serviceName: "dispatch", namespace: "Tailor" });
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      emitCampaignSends(observability.metrics, [
        { campaign: "cart", variant: "a", count: 3 },
        { campaign: "cart", variant: "b", count: 2 },
      ]);
    } finally {
      write.mockRestore();
    }
    const records = lines.map((line) => emfSchema.parse(JSON.parse(line)));
    expect(records.map((r) => [r.campaign, r.variant, r.CampaignSends])).toEqual([
      ["cart", "a", 3],
      ["cart", "b", 2],
    ]);
    for (const record of records) {
      const [directive] = record._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe("Tailor");
      expect(directive?.Metrics.map((m) => m.Name)).toEqual(["CampaignSends"]);
      // The dashboard's SEARCH names this exact dimension set: {Tailor,campaign,service,variant}.
      expect(directive?.Dimensions.map((set) => set.toSorted())).toEqual([
        ["campaign", "service", "variant"],
      ]);
      expect(record.service).toBe("dispatch");
    }
    // The buffered batch counts are untouched: these went out on their own.
    expect(observability.metrics.hasStoredMetrics()).toBe(false);
  });
});
