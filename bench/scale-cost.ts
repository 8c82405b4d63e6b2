import { PRICES } from "#cli/cost-prices.js";
import {
  DEFAULT_TOTAL_SEGMENTS,
  MAX_TOTAL_SEGMENTS,
  PROFILES_PER_SLICE,
  planRescoreRun,
} from "#shared/app/rescoring/plan-run.js";

/** The assumptions of the fan-out's time and cost model on AWS, each printed with it. */
export const SCALE_ASSUMED = {
  /** Median profile item (issue 19's measurement). */
  profileBytes: 1400,
  /** A membership index entry (customer id, segment, part). */
  indexEntryBytes: 100,
  /** What one scan segment reads per second: 1 MB pages at about 100 ms each. */
  profilesPerSecondPerPart: 7000,
  /** DynamoDB on-demand's default read ceiling per table (eventually consistent reads cost half a unit per 4 KB). */
  tableReadUnitsPerSecond: 40_000,
  /** Profiles a part reads (the `fanOutProfilesPerPart` default), parts at most, and parts at once. */
  profilesPerPart: 50_000,
  maxParts: 1000,
  maxConcurrency: 100,
  /** Seconds a `Part` invocation reads before it returns its cursor; its memory. */
  partBudgetSeconds: 240,
  partMemoryGb: 0.5,
  /** Items a page reads (one checkpoint write each). */
  pageSize: 500,
  /** SES's account rate: the default production quota, and a raised one. */
  sesRates: [14, 1000],
} as const;

/** One line of the model. */
export interface ScaleEstimate {
  readonly label: string;
  readonly profiles: number;
  readonly members: number;
  readonly parts: number;
  readonly readUnits: number;
  readonly fanOutSeconds: number;
  readonly transitions: number;
  readonly sqsRequests: number;
  readonly lambdaGbSeconds: number;
  readonly lambdaRequests: number;
  readonly checkpointWrites: number;
  readonly usd: {
    readonly dynamodb: number;
    readonly stepFunctions: number;
    readonly sqs: number;
    readonly lambda: number;
    readonly ses: number;
  };
  /** Hours SES takes to send the members at each assumed rate. */
  readonly sesHours: readonly number[];
}

const price = (p: { usd: number; per: number }, quantity: number) => (quantity * p.usd) / p.per;

/**
 * The time and cost of one fan-out on AWS: `members` of `profiles` sent to, the audience read by a scan of the
 * whole table or from the membership index (read in proportion to the segment).
 */
export function estimateFanOut(
  label: string,
  profiles: number,
  members: number,
  source: "scan" | "index",
  a = SCALE_ASSUMED,
): ScaleEstimate {
  const read = source === "scan" ? profiles : members;
  const bytes = source === "scan" ? a.profileBytes : a.indexEntryBytes;
  const readUnits = (read * bytes * 0.5) / 4096;
  const parts = Math.min(a.maxParts, Math.max(1, Math.ceil(read / a.profilesPerPart)));
  const perPart = read / parts;
  const partSeconds = perPart / a.profilesPerSecondPerPart;
  const ceiling = (a.tableReadUnitsPerSecond * 4096) / (bytes * 0.5);
  const rate = Math.min(Math.min(parts, a.maxConcurrency) * a.profilesPerSecondPerPart, ceiling);
  const invocationsPerPart = Math.max(1, Math.ceil(partSeconds / a.partBudgetSeconds));
  const lambdaRequests = parts * invocationsPerPart + 2;
  // Per part (a child execution): start, Part and PartDone? per invocation, PartFinished; the parent: Plan, Parts, Finish.
  const transitions = parts * (2 + 2 * invocationsPerPart) + 3;
  // SendMessageBatch per 10 intents; dispatch receives and deletes them 10 at a time.
  const sqsRequests = Math.ceil(members / 10) * 3;
  const lambdaGbSeconds = parts * partSeconds * a.partMemoryGb;
  const checkpointWrites = Math.ceil(read / a.pageSize);
  return {
    label,
    profiles,
    members,
    parts,
    readUnits,
    fanOutSeconds: read / rate,
    transitions,
    sqsRequests,
    lambdaGbSeconds,
    lambdaRequests,
    checkpointWrites,
    usd: {
      dynamodb: price(PRICES.dynamoRead, readUnits) + price(PRICES.dynamoWrite, checkpointWrites),
      stepFunctions: price(PRICES.stepFunctionsTransitions, transitions),
      sqs: price(PRICES.sqsRequests, sqsRequests),
      lambda: price(PRICES.lambdaArmCompute, lambdaGbSeconds) + price(PRICES.lambdaRequests, lambdaRequests),
      ses: price(PRICES.sesEmails, members),
    },
    sesHours: a.sesRates.map((r) => members / r / 3600),
  };
}

const usd = (n: number) => `$${n < 10 ? n.toFixed(2) : Math.round(n).toLocaleString("en-US")}`;
const big = (n: number) => Math.round(n).toLocaleString("en-US");

/** The model's table for 10 and 100 million profiles, with its assumptions. */
export function scaleCostLines(): string[] {
  const a = SCALE_ASSUMED;
  const lines = [
    "Time and cost of one scheduled campaign's fan-out on AWS (us-east-1 prices, cli/cost-prices.ts):",
    "| profiles | audience | read | parts | fan-out time | read units | SFN transitions | SQS requests | Lambda GB-s | DynamoDB | SFN | SQS | Lambda | SES | SES time at 14/s, 1000/s |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const profiles of [10_000_000, 100_000_000]) {
    for (const [audience, share, source] of [
      ["10 % segment", 0.1, "index"],
      ["10 % segment", 0.1, "scan"],
      ["whole table", 1, "scan"],
    ] as const) {
      const e = estimateFanOut(audience, profiles, profiles * share, source);
      lines.push(
        `| ${big(profiles)} | ${audience} | ${source} | ${e.parts} | ${Math.ceil(e.fanOutSeconds)} s | ${big(e.readUnits)} | ${big(e.transitions)} | ${big(e.sqsRequests)} | ${big(e.lambdaGbSeconds)} | ${usd(e.usd.dynamodb)} | ${usd(e.usd.stepFunctions)} | ${usd(e.usd.sqs)} | ${usd(e.usd.lambda)} | ${usd(e.usd.ses)} | ${e.sesHours.map((h) => `${h.toFixed(1)} h`).join(", ")} |`,
      );
    }
  }
  lines.push(
    "Assumptions: profile item " +
      `${a.profileBytes} B, index entry ${a.indexEntryBytes} B; eventually consistent Scan (0.5 read unit per 4 KB); ` +
      `${big(a.profilesPerSecondPerPart)} profiles/s per scan segment (1 MB pages, ~100 ms each); table ceiling ` +
      `${big(a.tableReadUnitsPerSecond)} read units/s (on-demand default); ${big(a.profilesPerPart)} profiles a part, at most ` +
      `${a.maxParts} parts, ${a.maxConcurrency} at once; ${a.partBudgetSeconds} s a Part invocation at ${a.partMemoryGb * 1024} MB; ` +
      `one checkpoint write per ${a.pageSize}-item page; SQS: a SendMessageBatch per 10 intents, dispatch's receive and ` +
      "delete per 10; SES $0.10 per 1,000. Not included: dispatch itself (per email, see `tailor cost`).",
  );
  return lines;
}

/** The assumptions of the nightly rescoring's time and cost model on AWS, each printed with it. */
export const RESCORE_ASSUMED = {
  /**
   * What one slice rescores per second on AWS: a page of 100 profiles is two endpoint requests (about 50 ms each,
   * one after the other) and 100 conditional writes 16 at a time (about 10 ms each), with its share of a scan page
   * and the CPU of features and segments: about 200 ms.
   */
  profilesPerSecondPerSlice: 500,
  /** Models scored (one request each per page of 100). */
  models: 2,
  pageSize: 100,
  /** Write units of one profile write (an item of ~1.5 KB with its scores: 2 units of 1 KB). */
  writeUnitsPerProfile: 2,
  /** DynamoDB on-demand's default write ceiling per table. */
  tableWriteUnitsPerSecond: 40_000,
  /** A slice function's memory, and a serverless endpoint's memory and seconds per request. */
  sliceMemoryGb: 1,
  endpointMemoryGb: 2,
  endpointSecondsPerRequest: 0.05,
  /** Slices at once: the default `rescoreConcurrency`, and the most. */
  concurrencies: [4, 40],
} as const;

/** One line of the rescoring model. */
export interface RescoreEstimate {
  readonly profiles: number;
  readonly concurrency: number;
  readonly slices: number;
  readonly seconds: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly endpointRequests: number;
  readonly lambdaGbSeconds: number;
  readonly usd: { readonly dynamodb: number; readonly sageMaker: number; readonly lambda: number };
}

/**
 * The time and cost of one nightly rescoring of `profiles` on AWS: the plan's slices ({@link planRescoreRun}),
 * `concurrency` of them at once, each at the assumed rate, bounded by the table's write ceiling.
 */
export function estimateRescoring(
  profiles: number,
  concurrency: number,
  a = RESCORE_ASSUMED,
  s = SCALE_ASSUMED,
): RescoreEstimate {
  const slices = planRescoreRun(0, { tableItems: profiles }).totalSegments;
  const ceiling = a.tableWriteUnitsPerSecond / a.writeUnitsPerProfile;
  const rate = Math.min(Math.min(slices, concurrency) * a.profilesPerSecondPerSlice, ceiling);
  const writeUnits = profiles * a.writeUnitsPerProfile;
  // The slices' scan, and Clusters' sample of at most 16 slices.
  const readUnits = ((profiles + Math.min(1, 16 / slices) * profiles) * s.profileBytes * 0.5) / 4096;
  const endpointRequests = Math.ceil(profiles / a.pageSize) * a.models;
  const lambdaGbSeconds = (profiles / a.profilesPerSecondPerSlice) * a.sliceMemoryGb;
  return {
    profiles,
    concurrency,
    slices,
    seconds: profiles / rate,
    writeUnits,
    readUnits,
    endpointRequests,
    lambdaGbSeconds,
    usd: {
      dynamodb: price(PRICES.dynamoWrite, writeUnits) + price(PRICES.dynamoRead, readUnits),
      sageMaker: price(
        PRICES.sageMakerServerlessGbSecond,
        endpointRequests * a.endpointSecondsPerRequest * a.endpointMemoryGb,
      ),
      lambda: price(PRICES.lambdaArmCompute, lambdaGbSeconds) + price(PRICES.lambdaRequests, slices + 3),
    },
  };
}

/** The rescoring model's table for 1, 10 and 100 million profiles, with its assumptions. */
export function rescoreCostLines(): string[] {
  const a = RESCORE_ASSUMED;
  const lines = [
    "Time and cost of one nightly rescoring on AWS (us-east-1 prices, cli/cost-prices.ts):",
    "| profiles | slices | at once | time | write units | read units | endpoint requests | Lambda GB-s | DynamoDB | SageMaker serverless | Lambda |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const profiles of [1_000_000, 10_000_000, 100_000_000]) {
    for (const concurrency of a.concurrencies) {
      const e = estimateRescoring(profiles, concurrency);
      const time =
        e.seconds < 3600 ? `${Math.ceil(e.seconds / 60)} min` : `${(e.seconds / 3600).toFixed(1)} h`;
      lines.push(
        `| ${big(profiles)} | ${e.slices} | ${Math.min(e.slices, concurrency)} | ${time} | ${big(e.writeUnits)} | ${big(e.readUnits)} | ${big(e.endpointRequests)} | ${big(e.lambdaGbSeconds)} | ${usd(e.usd.dynamodb)} | ${usd(e.usd.sageMaker)} | ${usd(e.usd.lambda)} |`,
      );
    }
  }
  lines.push(
    `Assumptions: ${a.profilesPerSecondPerSlice} profiles/s per slice (a page of ${a.pageSize}: ${a.models} endpoint requests of ~50 ms in turn, ` +
      `${a.pageSize} conditional writes 16 at a time at ~10 ms); ${PROFILES_PER_SLICE.toLocaleString("en-US")} profiles a slice ` +
      `(${DEFAULT_TOTAL_SEGMENTS} to ${MAX_TOTAL_SEGMENTS} slices), each one invocation of at most 15 minutes; ${a.writeUnitsPerProfile} write units a profile, ` +
      `table ceiling ${big(a.tableWriteUnitsPerSecond)} write units/s (on-demand default); slice functions at ${a.sliceMemoryGb * 1024} MB; ` +
      `serverless endpoints at ${a.endpointMemoryGb * 1024} MB, ${a.endpointSecondsPerRequest * 1000} ms a request (each slice keeps one request ` +
      "in flight per endpoint: `rescoreConcurrency` may not exceed `modelServerlessMaxConcurrency`). Nights with few " +
      "tier changes; a first night adds a transition per customer (an index write, a queue message, the outbox cleared).",
  );
  return lines;
}
