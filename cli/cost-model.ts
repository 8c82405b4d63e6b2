import { type ConsoleVolumes, consoleCostLines } from "./console-cost.js";
import { PRICES, type Price } from "./cost-prices.js";
import { type SmsVolumes, smsCostLines } from "./sms-cost.js";

/** The monthly volumes a deployment is priced for. */
export interface CostVolumes {
  /** Behavioural events put on the stream per month (the apps' own; SES feedback is added). */
  readonly events: number;
  /** Customer profiles stored. */
  readonly profiles: number;
  /** Emails sent per month. */
  readonly emails: number;
  /** SageMaker InvokeEndpoint calls per month; `undefined`: derived from the profiles and emails. */
  readonly modelCalls?: number;
  /** The stream's capacity mode. */
  readonly stream: "provisioned" | "on-demand";
  /** The console on AWS (`-c console=on`), when deployed. @default - not deployed */
  readonly console?: ConsoleVolumes;

  /**
   * How the scoring models' endpoints run: always-on instances (`existing` or `-c modelHosting=provisioned`), or
   * serverless (`-c modelHosting=serverless`, billed per second of inference; the recommender too, on the same
   * built-in image in script mode).
   * @default "instances"
   */
  readonly modelHosting?: "instances" | "serverless";
  /** SMS (`-c sms=on`), when deployed. @default - off */
  readonly sms?: SmsVolumes;
}

/** The figures measured by `npm run bench` (docs/performance.md) and the resources the stack declares. */
export const MEASURED = {
  /** DynamoDB write units per ingested event (profile puts, timers, counters, outbox), batches of 500. */
  ingestWriteUnitsPerEvent: 0.288,
  /**
   * DynamoDB write units per app event for the watch index of catalog triggers (views and cart adds, once per
   * customer, product and day, plus the index by customer for new items; bought products forgotten):
   * `npx tsx bench/watch-writes.ts 200 7` on the simulator's traffic (docs/catalog.md).
   */
  watchWriteUnitsPerEvent: 0.757,
  /** DynamoDB read units per ingested event (strongly consistent, per started 4 KB). */
  ingestReadUnitsPerEvent: 0.17,
  /** CPU ms per event of the whole ingest path (decode, fold, segments, writes), emulators included. */
  ingestCpuMsPerEvent: 0.63,
  /** Segment transitions per event (281 over 24,066 events). */
  transitionsPerEvent: 0.0117,
  /** Median profile item, bytes. */
  profileItemBytes: 1321,
  /** CPU ms to render one email (Liquid over compiled MJML, own recommendations). */
  renderCpuMsPerEmail: 0.42,
} as const;

/** What the stack declares (`infra/tailor-stack.ts`; test/infra/operations-stack.test.ts keeps these in step). */
export const STACK_RESOURCES = {
  kmsKeys: 33,
  alarms: 50,
  /**
   * Of the alarms, those comparing with an anomaly detection band: each is billed as three alarm metrics (the
   * metric and the band's two bounds), two more than a plain alarm (send volume, five event types' volume).
   */
  anomalyAlarms: 6,
  dashboards: 1,
  /** Queues an event source mapping polls (transitions, sends, catalog changes). */
  polledQueues: 3,
  /** Model endpoints: purchase_30d, churn_60d and the recommender. */
  modelEndpoints: 3,
  /** Scoring models the nightly rescoring calls. */
  scoringModels: 2,
} as const;

/** The assumptions that are not measured: each is printed with the estimate. */
export const ASSUMED = {
  hoursPerMonth: 730,
  nightsPerMonth: 30,
  /** Bytes of one event record on the stream (a Segment track call with context). */
  eventBytes: 1024,
  /** Peak rate over the month's average rate (sizes shards and endpoints). */
  peakFactor: 5,
  /** Feedback events (delivered, opened, clicked, bounced) per email, put back on the stream. */
  feedbackEventsPerEmail: 1.4,
  /** Ingest batching window: events per batch = rate × this, at most the mapping's 500. */
  ingestWindowSeconds: 1,
  ingestMaxBatch: 500,
  /** Wall time per ingest invocation besides CPU: the DynamoDB round trips. */
  ingestIoMsPerBatch: 60,
  lambdaMemoryGb: 1,
  /** Wall time per email in dispatch: claim, profile, recent sends, recommender, SendEmail, ledger (4 at once). */
  dispatchMsPerEmail: 80,
  dispatchParallel: 4,
  /**
   * Dispatch per email: ledger claim and record, the campaign's outcome of the day, the customer's send lock taken
   * and dropped under a frequency cap; profile read and recent sends.
   */
  dispatchWriteUnitsPerEmail: 5,
  dispatchReadUnitsPerEmail: 2,
  /** Ledger item bytes, kept 400 days (about 13 months). */
  ledgerItemBytes: 400,
  ledgerMonthsKept: 13,
  /** Wall time of the SES feedback function per event (one invocation per EventBridge event). */
  feedbackMsPerEvent: 30,
  /** Profiles per InvokeEndpoint call of the nightly rescoring. */
  rescoreBatch: 100,
  /** Slices of a rescoring run, and the state transitions each costs (Map iteration, task, retries). */
  rescoreSlices: 8,
  transitionsPerSlice: 4,
  /**
   * Full scans of the profile table the nightly segment jobs add after each rescoring run: RFM (samples, then
   * scores) and the recount.
   */
  segmentJobScansPerNight: 3,
  /** Segment job runs a night (rfm, recount), each a Plan, maps of 8 parts looping their steps, and a Finish. */
  segmentJobRunsPerNight: 2,
  transitionsPerSegmentJobRun: 8 * 6 + 12,
  /** The membership index: one write (an item under 1 KB) per segment transition, put on entry, marked on exit. */
  indexWriteUnitsPerTransition: 1,
  /** Who entered and left (the console): a marker put and an ADD to the day's counts per segment transition. */
  changeWriteUnitsPerTransition: 2,
  /** Write units of a nightly rescore write (profiles under 2 KB). */
  rescoreWriteUnitsPerProfile: 2,
  /** CPU ms per profile of the nightly rescoring (scan, features, resettle). */
  rescoreMsPerProfile: 2,
  /** Calls per second one ml.m5.large instance serves. */
  callsPerInstancePerSecond: 50,
  /** SQS requests per message: send, receive and delete, in batches of 10. */
  sqsRequestsPerMessage: 0.3,
  /** Empty long polls of an event source mapping on an idle queue: 5 pollers × 3 a minute. */
  sqsIdlePollsPerQueuePerMonth: 5 * 3 * 60 * 730,
  /** Malformed records (quarantined: one S3 PUT each). */
  malformedShare: 0.001,
  /** KMS: each key used by about 4 function instances, each refreshing its data key every 5 minutes. */
  kmsRequestsPerKeyPerMonth: 4 * 12 * 730,
  /** Custom metrics the functions publish (EMF): names × dimension sets. */
  customMetrics: 40,
  /** Log bytes per invocation (platform lines, EMF metrics, warnings). */
  logBytesPerInvocation: 1500,
  /**
   * The raw archive: bytes of one record's archived line, and gzipped, for 1 KB records (measured: 758 B and 93 B
   * per record for the demo's 423 B events, `tailor start`; real events vary more, so a worse ratio is assumed).
   */
  archiveLineBytes: 1500,
  archiveGzipBytesPerEvent: 250,
  /** Firehose bills each record rounded up to 5 KB. */
  firehoseRecordBillingBytes: 5 * 1024,
  /** Firehose's delivery buffer (infra/components/event-archive.ts): an object per 5 MB of lines or 300 s. */
  archiveObjectBytes: 5 * 1024 ** 2,
  archiveObjectsPerHour: 12,
  /** Months an archived object is kept (the default `archiveRetentionDays`, 400); the first in Standard, then IA. */
  archiveMonthsKept: 13,
  /** The archive transform: one call per 1 MB of records or per minute, 100 ms each at 0.5 GB. */
  archiveTransformInputBytes: 1024 ** 2,
  archiveTransformMs: 100,
  archiveTransformMemoryGb: 0.5,
  /**
   * The training workflow: runs a month (the weekly schedule, and a drift alarm now and then), Lambda seconds of
   * one run (the feature table, then per model train, evaluate and decide) at 2 GB, and its state transitions.
   */
  trainingRunsPerMonth: 5,
  trainingLambdaSecondsPerRun: 1200,
  trainingMemoryGb: 2,
  trainingTransitionsPerRun: 20,
  /** Serverless endpoints: the seconds of one InvokeEndpoint call (up to 100 rows), at this memory. */
  serverlessSecondsPerCall: 0.05,
  serverlessMemoryGb: 2,
} as const;

/** One line of the bill. */
export interface CostLine {
  readonly service: string;
  /** What is billed, with how it was counted. */
  readonly item: string;
  readonly quantity: number;
  readonly price: Price;
  /** US dollars per month. */
  readonly usd: number;
}

/** The estimate: the lines, the total and the figures derived on the way (printed as assumptions). */
export interface CostEstimate {
  readonly lines: readonly CostLine[];
  readonly totalUsd: number;
  readonly derived: {
    /** Events on the stream: the apps' plus SES feedback. */
    readonly streamEvents: number;
    readonly eventsPerSecond: number;
    readonly ingestBatch: number;
    readonly shards: number;
    readonly modelCalls: number;
    readonly instancesPerEndpoint: number;
  };
}

const GB = 1024 ** 3;

/** A line of `quantity` units at `price`. */
function line(service: string, item: string, quantity: number, price: Price): CostLine {
  return { service, item, quantity, price, usd: (quantity / price.per) * price.usd };
}

/**
 * The monthly cost of a deployment for `volumes`: DynamoDB, Lambda, SES, Kinesis, SQS, S3, KMS, CloudWatch,
 * SageMaker and Step Functions, from the measured units ({@link MEASURED}), the assumptions ({@link ASSUMED})
 * and AWS's public prices ({@link PRICES}). Pure: the same volumes give the same estimate.
 */
export function estimateCost(volumes: CostVolumes): CostEstimate {
  const a = ASSUMED;
  const m = MEASURED;
  const seconds = a.hoursPerMonth * 3600;
  const feedbackEvents = volumes.emails * a.feedbackEventsPerEmail;
  const streamEvents = volumes.events + feedbackEvents;
  const eventsPerSecond = streamEvents / seconds;
  const peakBytesPerSecond = eventsPerSecond * a.peakFactor * a.eventBytes;
  const shards = Math.max(
    1,
    Math.ceil((eventsPerSecond * a.peakFactor) / 1000),
    Math.ceil(peakBytesPerSecond / 1024 ** 2),
  );
  const ingestBatch = Math.min(
    a.ingestMaxBatch,
    Math.max(1, (eventsPerSecond / shards) * a.ingestWindowSeconds),
  );
  const ingestInvocations = streamEvents / ingestBatch;
  const ingestGbSeconds =
    ingestInvocations *
    ((a.ingestIoMsPerBatch + m.ingestCpuMsPerEvent * ingestBatch) / 1000) *
    a.lambdaMemoryGb;
  const dispatchGbSeconds =
    volumes.emails *
    ((a.dispatchMsPerEmail + m.renderCpuMsPerEmail) / 1000 / a.dispatchParallel) *
    a.lambdaMemoryGb;
  const dispatchInvocations = volumes.emails / 10;
  const feedbackGbSeconds = feedbackEvents * (a.feedbackMsPerEvent / 1000) * a.lambdaMemoryGb;
  const rescoreProfiles = volumes.profiles * a.nightsPerMonth;
  const rescoreGbSeconds = rescoreProfiles * (a.rescoreMsPerProfile / 1000) * a.lambdaMemoryGb;
  // Each run: plan, cluster and finish, and one invocation per slice.
  const rescoreInvocations = a.nightsPerMonth * (a.rescoreSlices + 3);
  // The archive's transform: Firehose calls it per 1 MB of records, or at least once a minute.
  const archiveInvocations = Math.max(
    a.hoursPerMonth * 60,
    (streamEvents * a.eventBytes) / a.archiveTransformInputBytes,
  );
  const archiveGbSeconds = archiveInvocations * (a.archiveTransformMs / 1000) * a.archiveTransformMemoryGb;
  const trainingGbSeconds = a.trainingRunsPerMonth * a.trainingLambdaSecondsPerRun * a.trainingMemoryGb;
  const invocations =
    ingestInvocations +
    dispatchInvocations +
    feedbackEvents +
    rescoreInvocations +
    archiveInvocations +
    // BuildFeatures, then train, evaluate and record per scoring model and for the recommender.
    a.trainingRunsPerMonth * (1 + 3 * (STACK_RESOURCES.scoringModels + 1));

  // The nightly rescoring's calls (the scoring models); the recommender is called once per email.
  const nightlyCalls =
    Math.ceil(volumes.profiles / a.rescoreBatch) * STACK_RESOURCES.scoringModels * a.nightsPerMonth;
  const modelCalls = volumes.modelCalls ?? nightlyCalls + volumes.emails;
  const scoringCalls =
    volumes.modelCalls === undefined
      ? nightlyCalls
      : (modelCalls * nightlyCalls) / (nightlyCalls + volumes.emails || 1);
  const instancesPerEndpoint = Math.max(
    1,
    Math.ceil(
      ((modelCalls / seconds) * a.peakFactor) / STACK_RESOURCES.modelEndpoints / a.callsPerInstancePerSecond,
    ),
  );

  const transitions = streamEvents * m.transitionsPerEvent;
  const profileBytes = volumes.profiles * m.profileItemBytes;
  const ledgerBytes = volumes.emails * a.ledgerMonthsKept * a.ledgerItemBytes;
  const scanReadUnits = (profileBytes / 4096) * 0.5 * a.nightsPerMonth;
  const archiveGbPerMonth = (streamEvents * a.archiveGzipBytesPerEvent) / GB;
  const archiveObjects = Math.max(
    a.archiveObjectsPerHour * a.hoursPerMonth,
    (streamEvents * a.archiveLineBytes) / a.archiveObjectBytes,
  );

  const P = PRICES;
  const lines: CostLine[] = [
    line(
      "DynamoDB",
      "writes: ingest, watch index, dispatch, nightly rescoring, membership index, segment changes",
      streamEvents * m.ingestWriteUnitsPerEvent +
        volumes.events * m.watchWriteUnitsPerEvent +
        volumes.emails * a.dispatchWriteUnitsPerEmail +
        rescoreProfiles * a.rescoreWriteUnitsPerProfile +
        transitions * (a.indexWriteUnitsPerTransition + a.changeWriteUnitsPerTransition),
      P.dynamoWrite,
    ),
    line(
      "DynamoDB",
      "reads: ingest, dispatch, rescoring and segment job scans",
      streamEvents * m.ingestReadUnitsPerEvent +
        volumes.emails * a.dispatchReadUnitsPerEmail +
        scanReadUnits * (1 + a.segmentJobScansPerNight),
      P.dynamoRead,
    ),
    line("DynamoDB", "storage: profiles and send ledger", (profileBytes + ledgerBytes) / GB, P.dynamoStorage),
    line(
      "Lambda",
      "compute: ingest, dispatch, SES feedback, rescoring, archive transform, training (arm64)",
      ingestGbSeconds +
        dispatchGbSeconds +
        feedbackGbSeconds +
        rescoreGbSeconds +
        archiveGbSeconds +
        trainingGbSeconds,
      P.lambdaArmCompute,
    ),
    line("Lambda", "invocations", invocations, P.lambdaRequests),
    line("SES", "emails sent", volumes.emails, P.sesEmails),
    ...(volumes.stream === "provisioned"
      ? [
          line("Kinesis", `${shards} shard(s), provisioned`, shards * a.hoursPerMonth, P.kinesisShardHour),
          line("Kinesis", "PUT payload units (one per record)", streamEvents, P.kinesisPutUnits),
        ]
      : [
          line("Kinesis", "on-demand stream", a.hoursPerMonth, P.kinesisOnDemandStreamHour),
          line("Kinesis", "data in", (streamEvents * a.eventBytes) / GB, P.kinesisOnDemandIn),
          line(
            "Kinesis",
            "data out (ingest and the archive each read once)",
            (2 * streamEvents * a.eventBytes) / GB,
            P.kinesisOnDemandOut,
          ),
        ]),
    line(
      "SQS",
      "sends and transitions, plus idle polling",
      (volumes.emails + transitions) * a.sqsRequestsPerMessage +
        STACK_RESOURCES.polledQueues * a.sqsIdlePollsPerQueuePerMonth,
      P.sqsRequests,
    ),
    line("S3", "quarantined records", streamEvents * a.malformedShare, P.s3Puts),
    line(
      "Firehose",
      "archive ingestion (Kinesis source)",
      (streamEvents * a.firehoseRecordBillingBytes) / GB,
      P.firehoseIngestion,
    ),
    line("S3", "archive objects written", archiveObjects, P.s3Puts),
    line("S3", "archive storage, last month's (Standard)", archiveGbPerMonth, P.s3Standard),
    line(
      "S3",
      "archive storage, older months (Standard-IA)",
      archiveGbPerMonth * (a.archiveMonthsKept - 1),
      P.s3StandardIa,
    ),
    line("KMS", "customer-managed keys", STACK_RESOURCES.kmsKeys, P.kmsKeys),
    line("KMS", "requests", STACK_RESOURCES.kmsKeys * a.kmsRequestsPerKeyPerMonth, P.kmsRequests),
    line("CloudWatch", "alarms", STACK_RESOURCES.alarms, P.cloudWatchAlarms),
    line(
      "CloudWatch",
      "anomaly detection alarms' bands (2 more alarm metrics each)",
      STACK_RESOURCES.anomalyAlarms * 2,
      P.cloudWatchAlarms,
    ),
    line("CloudWatch", "custom metrics", a.customMetrics, P.cloudWatchMetrics),
    line("CloudWatch", "dashboard", STACK_RESOURCES.dashboards, P.cloudWatchDashboards),
    line("CloudWatch", "logs ingested", (invocations * a.logBytesPerInvocation) / GB, P.cloudWatchLogs),
    ...sageMakerLines(volumes, { scoringCalls, modelCalls, instancesPerEndpoint }),
    line(
      "Step Functions",
      "nightly rescoring and segment job runs",
      a.nightsPerMonth *
        (a.rescoreSlices * a.transitionsPerSlice +
          10 +
          a.segmentJobRunsPerNight * a.transitionsPerSegmentJobRun),
      P.stepFunctionsTransitions,
    ),
    line(
      "Step Functions",
      "training workflow runs",
      a.trainingRunsPerMonth * a.trainingTransitionsPerRun,
      P.stepFunctionsTransitions,
    ),
    ...(volumes.console === undefined ? [] : consoleCostLines(volumes.console)),
    ...(volumes.sms === undefined ? [] : smsCostLines(volumes.sms)),
  ];
  const totalUsd = lines.reduce((sum, l) => sum + l.usd, 0);
  return {
    lines,
    totalUsd,
    derived: { streamEvents, eventsPerSecond, ingestBatch, shards, modelCalls, instancesPerEndpoint },
  };
}

/**
 * The endpoints: every one on always-on instances, or all serverless (their calls × seconds × memory): the
 * scoring models' nightly calls, the recommender's one call per email.
 */
function sageMakerLines(
  volumes: CostVolumes,
  derived: {
    readonly scoringCalls: number;
    readonly modelCalls: number;
    readonly instancesPerEndpoint: number;
  },
): CostLine[] {
  const a = ASSUMED;
  const instances = (endpoints: number) =>
    line(
      "SageMaker",
      `${endpoints} endpoint${endpoints === 1 ? "" : "s"} × ${derived.instancesPerEndpoint} instance(s), always on`,
      endpoints * derived.instancesPerEndpoint * a.hoursPerMonth,
      PRICES.sageMakerInstanceHour,
    );
  if (volumes.modelHosting !== "serverless") return [instances(STACK_RESOURCES.modelEndpoints)];
  return [
    line(
      "SageMaker",
      `${STACK_RESOURCES.scoringModels} serverless scoring endpoints: scoring calls × ${a.serverlessSecondsPerCall} s × ${a.serverlessMemoryGb} GB`,
      derived.scoringCalls * a.serverlessSecondsPerCall * a.serverlessMemoryGb,
      PRICES.sageMakerServerlessGbSecond,
    ),
    line(
      "SageMaker",
      `${STACK_RESOURCES.modelEndpoints - STACK_RESOURCES.scoringModels} serverless recommender endpoint: one call per email × ${a.serverlessSecondsPerCall} s × ${a.serverlessMemoryGb} GB`,
      (derived.modelCalls - derived.scoringCalls) * a.serverlessSecondsPerCall * a.serverlessMemoryGb,
      PRICES.sageMakerServerlessGbSecond,
    ),
  ];
}

const SUFFIX: Readonly<Record<string, number>> = { "": 1, k: 1e3, m: 1e6, b: 1e9 };

/**
 * A count as typed on the command line: `50M`, `2k`, `1.5M`, `10000`, `1,000,000` (k, M and B, any case).
 * Returns undefined for anything else (negative, empty, `5x`).
 */
export function parseCount(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kmb]?)$/i.exec(text.trim().replaceAll(",", "").replaceAll("_", ""));
  if (match === null) return undefined;
  const [, digits = "", suffix = ""] = match;
  const factor = SUFFIX[suffix.toLowerCase()];
  if (factor === undefined) return undefined;
  return Math.round(Number(digits) * factor);
}
