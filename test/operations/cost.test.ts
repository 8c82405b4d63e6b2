import { describe, expect, it } from "vitest";
import { parseCostArgs } from "#cli/cost-command.js";
import { type CostEstimate, estimateCost, parseCount } from "#cli/cost-model.js";
import { formatCostReport } from "#cli/cost-report.js";

/** The line of `service` whose item starts with `item`. */
function usdOf(estimate: CostEstimate, service: string, item: string): number {
  const found = estimate.lines.find((l) => l.service === service && l.item.startsWith(item));
  if (found === undefined) throw new Error(`no line ${service} ${item}`);
  return found.usd;
}

describe("tailor cost: the arithmetic", () => {
  const volumes = { events: 50e6, profiles: 2e6, emails: 10e6, stream: "provisioned" } as const;
  const estimate = estimateCost(volumes);

  it("prices 50M events, 2M profiles and 10M emails as computed by hand", () => {
    // SES: 10,000,000 emails × $0.10 / 1,000.
    expect(usdOf(estimate, "SES", "emails")).toBeCloseTo(1000, 6);
    // The stream carries 50M events + 1.4 feedback events × 10M emails = 64M records: 24.4/s, 122/s at the
    // peak (×5): one shard, 730 h × $0.015; one PUT payload unit per 1 KB record: 64 × $0.014.
    expect(estimate.derived.streamEvents).toBe(64e6);
    expect(estimate.derived.shards).toBe(1);
    expect(usdOf(estimate, "Kinesis", "1 shard")).toBeCloseTo(10.95, 6);
    expect(usdOf(estimate, "Kinesis", "PUT payload")).toBeCloseTo(0.896, 6);
    // Writes: 64M × 0.288 (ingest) + 50M app events × 0.757 (watch index) + 10M × 5 (ledger, the campaign's
    // outcome of the day, the customer's send lock) + 2M profiles × 30 nights × 2 (rescoring) + 0.7488M
    // transitions × 3 (the membership index, the segment's changes of the day) = 228.528M write units × $0.625
    // per million.
    expect(usdOf(estimate, "DynamoDB", "writes")).toBeCloseTo(142.83, 2);
    // 33 customer-managed keys at $1 (3 the models': model bucket, training logs, training starts' queue; 5 the catalog's: table, feed bucket, changes queue and two
    // dead-letter queues; 1 the watch index's).
    expect(usdOf(estimate, "KMS", "customer-managed keys")).toBe(33);
    // Three endpoints, one ml.m5.large each, 730 h × $0.115.
    expect(usdOf(estimate, "SageMaker", "3 endpoints")).toBeCloseTo(251.85, 6);
    expect(estimate.totalUsd).toBeCloseTo(
      estimate.lines.reduce((sum, l) => sum + l.usd, 0),
      9,
    );
  });

  it("adds shards when the peak passes 1,000 records/s, and prices on-demand by the GB", () => {
    // 400 events/s on average over 730 h; ×5 at the peak = 2,000 records/s → 2 shards.
    const busy = estimateCost({ events: 400 * 730 * 3600, profiles: 0, emails: 0, stream: "provisioned" });
    expect(busy.derived.shards).toBe(2);
    expect(busy.derived.ingestBatch).toBe(200);
    expect(usdOf(busy, "Kinesis", "2 shard")).toBeCloseTo(2 * 730 * 0.015, 6);
    const onDemand = estimateCost({ events: 1024 ** 2, profiles: 0, emails: 0, stream: "on-demand" });
    // 1,048,576 records of 1 KB = 1 GB in at $0.08 and out twice (ingest, the archive) at $0.04, plus the
    // stream-hours.
    expect(usdOf(onDemand, "Kinesis", "data in")).toBeCloseTo(0.08, 9);
    expect(usdOf(onDemand, "Kinesis", "data out")).toBeCloseTo(0.08, 9);
    expect(usdOf(onDemand, "Kinesis", "on-demand stream")).toBeCloseTo(29.2, 6);
  });

  it("prices the raw archive: Firehose by 5 KB per record, gzip storage in Standard then Standard-IA", () => {
    // 64M records × 5,120 B = 305.18 GB ingested at $0.029.
    expect(usdOf(estimate, "Firehose", "archive ingestion")).toBeCloseTo(
      (64e6 * 5120 * 0.029) / 1024 ** 3,
      9,
    );
    // 64M × 250 B gzipped = 14.90 GB a month: the last month in Standard ($0.023), 12 older in IA ($0.0125).
    const gb = (64e6 * 250) / 1024 ** 3;
    expect(usdOf(estimate, "S3", "archive storage, last")).toBeCloseTo(gb * 0.023, 9);
    expect(usdOf(estimate, "S3", "archive storage, older")).toBeCloseTo(gb * 12 * 0.0125, 9);
    // An object per 5 MB of 1,500 B lines (18,310.5), more than one per 300 s (8,760), at $0.005 per 1,000.
    expect(usdOf(estimate, "S3", "archive objects")).toBeCloseTo(
      ((64e6 * 1500) / 5 / 1024 ** 2) * 0.000005,
      9,
    );
    // A quiet shop still writes an object every 300 s.
    const quiet = estimateCost({ events: 1000, profiles: 0, emails: 0, stream: "provisioned" });
    expect(usdOf(quiet, "S3", "archive objects")).toBeCloseTo(12 * 730 * 0.000005, 9);
  });

  it("derives the model calls unless given, and sizes the endpoints for them", () => {
    // 2M profiles / 100 per call × 2 models × 30 nights + 10M recommender calls.
    expect(estimate.derived.modelCalls).toBe(20_000 * 2 * 30 + 10e6);
    const heavy = estimateCost({ ...volumes, modelCalls: 3 * 50 * 730 * 3600 });
    // 150 calls/s on average, 750 at the peak, over 3 endpoints = 250/s each, 50 per instance → 5 instances.
    expect(heavy.derived.instancesPerEndpoint).toBe(5);
    expect(usdOf(heavy, "SageMaker", "3 endpoints")).toBeCloseTo(3 * 5 * 730 * 0.115, 6);
  });

  it("prices the training workflow, and serverless scoring and recommender endpoints by the second", () => {
    // 5 runs × 20 transitions at $0.025 per 1,000.
    expect(usdOf(estimate, "Step Functions", "training workflow")).toBeCloseTo((5 * 20 * 0.025) / 1000, 9);
    const serverless = estimateCost({ ...volumes, modelHosting: "serverless" });
    // 2M profiles / 100 per call × 2 models × 30 nights = 1.2M calls × 0.05 s × 2 GB × $0.00002.
    expect(usdOf(serverless, "SageMaker", "2 serverless scoring endpoints")).toBeCloseTo(
      1.2e6 * 0.05 * 2 * 0.00002,
      9,
    );
    // The recommender, serverless too: 10M emails × 0.05 s × 2 GB × $0.00002.
    expect(usdOf(serverless, "SageMaker", "1 serverless recommender endpoint")).toBeCloseTo(
      10e6 * 0.05 * 2 * 0.00002,
      9,
    );
    expect(serverless.lines.filter((l) => l.service === "SageMaker")).toHaveLength(2);
    expect(serverless.totalUsd).toBeLessThan(estimate.totalUsd);
    // The training Lambda time is in the compute line: 5 runs × 1,200 s × 2 GB more than without it.
    expect(usdOf(estimate, "Lambda", "compute")).toBeGreaterThan(5 * 1200 * 2 * 0.0000133334);
  });

  it("prints every line, the total and the assumptions line by line, with the price sources", () => {
    const text = formatCostReport(volumes, estimate);
    expect(text).toContain(
      "Monthly cost of Tailor for 50,000,000 events, 2,000,000 profiles, 10,000,000 emails",
    );
    expect(text).toMatch(/total\s+\$1,\d{3}\.\d{2}\s+per month/);
    expect(text).toContain("SES  emails sent");
    expect(text).toContain("× $0.10/1,000 email");
    expect(text.match(/^ {2}- /gm)?.length).toBeGreaterThanOrEqual(10);
    expect(text).toContain("64,000,000 records");
    expect(text).toContain("https://aws.amazon.com/ses/pricing/");
  });
});

describe("tailor cost: the arguments", () => {
  it("reads counts with k, M and B suffixes, decimals and separators", () => {
    expect(parseCount("50M")).toBe(50_000_000);
    expect(parseCount("2k")).toBe(2000);
    expect(parseCount("1.5M")).toBe(1_500_000);
    expect(parseCount("2b")).toBe(2_000_000_000);
    expect(parseCount("10000")).toBe(10_000);
    expect(parseCount("1,000,000")).toBe(1_000_000);
    for (const bad of ["", "5x", "-1", "M", "1.5.2k", "1e6"]) expect(parseCount(bad)).toBeUndefined();
  });

  it("parses the volumes and refuses what it cannot price, naming the flag", () => {
    expect(parseCostArgs(["--events", "50M", "--profiles", "2M", "--emails", "10M"]).volumes).toEqual({
      events: 50e6,
      profiles: 2e6,
      emails: 10e6,
      stream: "provisioned",
      modelHosting: "instances",
    });
    const calls = parseCostArgs([
      "--events=1k",
      "--profiles=2k",
      "--emails=3k",
      "--model-calls=4k",
      "--stream=on-demand",
    ]);
    expect(calls.volumes).toEqual({
      events: 1e3,
      profiles: 2e3,
      emails: 3e3,
      modelCalls: 4e3,
      stream: "on-demand",
      modelHosting: "instances",
    });
    expect(
      parseCostArgs(["--events=1", "--profiles=1", "--emails=1", "--model-hosting=serverless"]).volumes,
    ).toMatchObject({ modelHosting: "serverless" });
    expect(() =>
      parseCostArgs(["--events", "1", "--profiles", "1", "--emails", "1", "--model-hosting", "docker"]),
    ).toThrow('--model-hosting: expected instances or serverless, got "docker"');
    expect(() => parseCostArgs(["--events", "50M"])).toThrow(/^--profiles, --emails required/);
    expect(() => parseCostArgs(["--events", "lots", "--profiles", "1", "--emails", "1"])).toThrow(
      '--events: expected a count like 50M, 2k, 1.5M or 10000, got "lots"',
    );
    expect(() =>
      parseCostArgs(["--events", "1", "--profiles", "1", "--emails", "1", "--stream", "fast"]),
    ).toThrow("--stream: expected provisioned or on-demand");
    expect(() =>
      parseCostArgs(["--events", "1", "--profiles", "1", "--emails", "1", "--region", "eu-west-1"]),
    ).toThrow(/--region: the price table is us-east-1's only/);
  });
});
