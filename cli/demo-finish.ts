import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { z } from "zod";
import { LocalStackError } from "#infra/local/local-errors.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { cachedEvaluationContext } from "#shared/app/segment-deps.js";
import { recomputeRfm, recountSegments, type SegmentsBatchDeps } from "#shared/app/segments-batch.js";
import { SqsTransitionPublisher } from "#shared/aws/sqs-transition-publisher.js";
import type { Clock } from "#shared/ports.js";
import { count } from "./format.js";
import { rescoreSummaryLines } from "./rescore-command.js";
import { batchDeps, readLibrary } from "./segments-command.js";

/** Slices of the batch passes: the demo's shop is small. */
const SLICES = 4;

/** A segment of the library with its exact size. */
export interface SegmentSize {
  readonly id: string;
  readonly name: string;
  readonly size: number;
}

/** The batch jobs' dependencies on the stack's tables and transitions queue, on the stack's clock. */
async function withBatchDeps<T>(
  stack: LocalStack,
  clock: Clock,
  run: (deps: SegmentsBatchDeps) => Promise<T>,
): Promise<T> {
  const queue = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.transitionsQueue);
  if (queue === undefined)
    throw new LocalStackError(`the stack has no queue ${LOCAL_NAMES.transitionsQueue}`);
  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  try {
    const publisher = new SqsTransitionPublisher({ client: sqs, queueUrl: queue.url });
    const base = batchDeps(dynamo, readLibrary(undefined), publisher);
    return await run({
      ...base,
      clock,
      segments: { ...base.segments, context: cachedEvaluationContext(base.segments.store, clock) },
    });
  } finally {
    dynamo.destroy();
    sqs.destroy();
  }
}

/**
 * What `tailor segments rfm` and then `tailor rescore` run, run now on the stack (on its clock), so the demo
 * ends with RFM scores, clusters and model tiers computed; resolves once the transitions they caused (and the
 * sends those started) are handled. Returns their summaries.
 */
export function finishShop(stack: LocalStack, clock: Clock): Promise<string[]> {
  return withBatchDeps(stack, clock, async (deps) => {
    const { thresholds, summary } = await recomputeRfm(deps, { totalSegments: SLICES });
    const lines = [
      `RFM over ${count(thresholds.population)} buyers: ${count(summary.profilesWritten)} of ` +
        `${count(summary.profiles)} profiles scored, ${count(summary.transitions)} segment transitions`,
    ];
    await stack.waitUntilIdle({ timeoutMs: 300_000 });
    const report = await stack.startExecution(LOCAL_NAMES.rescoreStateMachine, { totalSegments: SLICES });
    lines.push(...rescoreSummaryLines(report).filter((line) => !line.startsWith("drift: no previous run")));
    await stack.waitUntilIdle({ timeoutMs: 300_000 });
    return lines;
  });
}

/** Every segment of the library, in its order, counted exactly (what `tailor segments recount` runs). */
export function segmentSizes(stack: LocalStack, clock: Clock): Promise<SegmentSize[]> {
  return withBatchDeps(stack, clock, async (deps) => {
    const exact = await recountSegments(deps, { totalSegments: SLICES });
    return deps.segments.library.definitions.map((definition) => ({
      id: definition.id,
      name: definition.name,
      size: exact.get(definition.id) ?? 0,
    }));
  });
}

/** Segment sizes as summary lines, two to a line. */
export function segmentSizeLines(sizes: readonly SegmentSize[]): string[] {
  const width = Math.max(0, ...sizes.map((s) => s.id.length));
  const cells = sizes.map((s) => `${s.id.padEnd(width)} ${count(s.size).padStart(6)}`);
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 2) lines.push(`    ${cells.slice(i, i + 2).join("    ")}`);
  return lines;
}

const consentSchema = z.looseObject({
  c: z.record(z.string(), z.looseObject({ g: z.boolean() })).optional(),
});

/** Whether a stored profile's latest marketing-email decision is a grant. */
export function grantsMarketingEmail(profile: Readonly<Record<string, unknown>>): boolean {
  const parsed = consentSchema.safeParse(profile);
  return parsed.success && parsed.data.c?.marketing_email?.g === true;
}
