import { ASSUMED, type CostEstimate, type CostVolumes, MEASURED, STACK_RESOURCES } from "./cost-model.js";
import { PRICES_AS_OF, PRICES_REGION } from "./cost-prices.js";

/** `50,000,000`; a fraction keeps up to 2 decimals (`0.29`). */
export function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 2 : 0 });
}

/** `$1,234.56`; under a cent: `<$0.01`. */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.005) return "<$0.01";
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price as published (`$0.0000133334`), never rounded. */
function formatPrice(usd: number): string {
  return `$${usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 10 })}`;
}

/** The assumptions behind an estimate, one a line: the measured units, what is assumed, what is derived. */
export function assumptionLines(volumes: CostVolumes, estimate: CostEstimate): string[] {
  const a = ASSUMED;
  const m = MEASURED;
  const d = estimate.derived;
  return [
    `prices: AWS public on-demand prices of ${PRICES_REGION}, read ${PRICES_AS_OF}; no free tier, no savings plans`,
    `a month is ${a.hoursPerMonth} hours; the peak rate is ${a.peakFactor}× the month's average`,
    `measured (npm run bench, docs/performance.md): ${m.ingestWriteUnitsPerEvent} DynamoDB write units and ${m.ingestReadUnitsPerEvent} read units per event in batches of 500 (smaller batches group fewer events per customer and write more per event), ${m.ingestCpuMsPerEvent} ms CPU per event, ${m.transitionsPerEvent} segment transitions per event, profiles of ${formatNumber(m.profileItemBytes)} B (median), ${m.renderCpuMsPerEmail} ms CPU to render an email`,
    `stream: ${formatNumber(volumes.events)} events + ${a.feedbackEventsPerEmail} SES feedback events per email = ${formatNumber(d.streamEvents)} records of ${formatNumber(a.eventBytes)} B, ${formatNumber(d.eventsPerSecond)}/s on average; ${volumes.stream === "provisioned" ? `${d.shards} shard(s) for the peak (1,000 records/s or 1 MB/s each)` : "on-demand"}`,
    `ingest: batches of ${formatNumber(d.ingestBatch)} events (the rate × the ${a.ingestWindowSeconds} s window, at most ${a.ingestMaxBatch}), ${a.ingestIoMsPerBatch} ms of DynamoDB round trips per batch, ${a.lambdaMemoryGb} GB functions (arm64)`,
    `dispatch: ${a.dispatchMsPerEmail} ms per email, ${a.dispatchParallel} at once in batches of 10; ${a.dispatchWriteUnitsPerEmail} write and ${a.dispatchReadUnitsPerEmail} read units per email; ledger items of ${a.ledgerItemBytes} B kept ${a.ledgerMonthsKept} months`,
    `SES feedback: one function invocation of ${a.feedbackMsPerEvent} ms per event (EventBridge delivers SES's events free)`,
    `rescoring: every night scans ${formatNumber(volumes.profiles)} profiles (eventually consistent) and writes each (${a.rescoreWriteUnitsPerProfile} write units), ${a.rescoreMsPerProfile} ms CPU per profile, ${a.rescoreSlices} slices`,
    `segment jobs: after each rescoring run, rfm and recount scan the profiles ${a.segmentJobScansPerNight} more times (${a.segmentJobRunsPerNight} runs of about ${a.transitionsPerSegmentJobRun} state transitions); the membership index adds ${a.indexWriteUnitsPerTransition} write unit per segment transition`,
    `models: ${formatNumber(d.modelCalls)} InvokeEndpoint calls${volumes.modelCalls === undefined ? ` (derived: batches of ${a.rescoreBatch} profiles × ${STACK_RESOURCES.scoringModels} models × ${a.nightsPerMonth} nights + one recommender call per email)` : ""}; ${STACK_RESOURCES.modelEndpoints} endpoints on ml.m5.large, ${d.instancesPerEndpoint} instance(s) each (${a.callsPerInstancePerSecond} calls/s per instance at the peak), always on; "none" endpoints cost nothing`,
    `SQS: ${a.sqsRequestsPerMessage} requests per message (send, receive, delete by 10) and the idle long polls of ${STACK_RESOURCES.polledQueues} polled queues`,
    `KMS: ${STACK_RESOURCES.kmsKeys} customer-managed keys, each asked for a data key about ${formatNumber(a.kmsRequestsPerKeyPerMonth)} times a month`,
    `CloudWatch: ${STACK_RESOURCES.alarms} alarms, ${a.customMetrics} custom metrics, ${STACK_RESOURCES.dashboards} dashboard, ${formatNumber(a.logBytesPerInvocation)} B of logs per invocation; S3: ${a.malformedShare * 100} % of records quarantined`,
    `archive: every stream record through Firehose (billed as ${formatNumber(a.firehoseRecordBillingBytes)} B each), lines of ${formatNumber(a.archiveLineBytes)} B stored gzipped at ${a.archiveGzipBytesPerEvent} B per event for ${a.archiveMonthsKept} months (the default archiveRetentionDays), the first in S3 Standard, then Standard-IA; an object per 5 MB or 300 s; the transform at ${a.archiveTransformMemoryGb} GB, ${a.archiveTransformMs} ms per 1 MB of records or per minute; Athena queries not included ($5 per TB scanned)`,
    "not included: data transfer out, the HTTP API's requests (API Gateway), Secrets Manager ($0.40 a secret), Athena queries, taxes",
  ];
}

/** The estimate as printed: the volumes, one line per cost, the total, then the assumptions and the sources. */
export function formatCostReport(volumes: CostVolumes, estimate: CostEstimate): string {
  const out: string[] = [
    `Monthly cost of Tailor for ${formatNumber(volumes.events)} events, ${formatNumber(volumes.profiles)} profiles, ${formatNumber(volumes.emails)} emails (${volumes.stream} stream)`,
    "",
  ];
  const width = Math.max(...estimate.lines.map((l) => `${l.service}  ${l.item}`.length));
  for (const l of estimate.lines) {
    const label = `${l.service}  ${l.item}`.padEnd(width);
    const quantity = `${formatNumber(l.quantity)} × ${formatPrice(l.price.usd)}/${l.price.per === 1 ? "" : `${formatNumber(l.price.per)} `}${l.price.unit}`;
    out.push(`  ${label}  ${formatUsd(l.usd).padStart(11)}   ${quantity}`);
  }
  out.push(
    `  ${"total".padEnd(width)}  ${formatUsd(estimate.totalUsd).padStart(11)}   per month`,
    "",
    "Assumptions:",
  );
  for (const text of assumptionLines(volumes, estimate)) out.push(`  - ${text}`);
  const sources = [...new Set(estimate.lines.map((l) => l.price.source))];
  out.push("", "Prices from:", ...sources.map((source) => `  ${source}`));
  return `${out.join("\n")}\n`;
}
