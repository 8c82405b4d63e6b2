import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { IngestSummary } from "../../app/ingest-batch.js";
import type { Observability } from "../middleware.js";
import { addCounts, logOutcome } from "./counts.js";

/**
 * Publishes `EventsByType` once per event type of the batch, with the dimension `eventType` (bounded: the
 * event kinds, `other` for unknown track names; plus the `service` every metric carries), each as a single
 * metric (its dimensions would not fit the batch's other counts). The data-quality alarms watch it per hour.
 */
export function emitEventsByType(metrics: Metrics, counts: IngestSummary["eventsByType"]): void {
  for (const [eventType, count] of Object.entries(counts)) {
    if (count === undefined || count === 0) continue;
    metrics.singleMetric().addDimensions({ eventType }).addMetric("EventsByType", MetricUnit.Count, count);
  }
}

/** The metrics and the log line of one ingested stream batch (a warning when records were refused or failed). */
export function reportIngest({ metrics, logger }: Observability, summary: IngestSummary): void {
  addCounts(metrics, {
    EventsIngested: summary.events,
    EventsQuarantined: summary.quarantined,
    EventsDuplicate: summary.duplicates,
    ProfilesWritten: summary.profilesWritten,
    ProfileWriteConflicts: summary.conflicts,
    ProfileWriteUnits: summary.writeUnits,
    RecordsFailed: summary.failedRecords,
    SegmentTransitions: summary.transitions,
    SegmentTransitionsPublished: summary.transitionsPublished,
    OutboxWriteUnits: summary.outboxWriteUnits,
    TimerWrites: summary.timerWrites,
    CounterWrites: summary.counterWrites,
    SendIntents: summary.intents,
    SendIntentsEnqueued: summary.intentsEnqueued,
    SendIntentsTimed: summary.intentsTimed,
    IdentitiesMerged: summary.merges,
    IdentityLinksRefused: summary.identityConflicts,
    IdentityReads: summary.identityReads,
    IdentityWrites: summary.identityWrites,
  });
  emitEventsByType(metrics, summary.eventsByType);
  logOutcome(
    logger,
    summary.quarantined > 0 || summary.failedRecords > 0 || summary.counterFailures > 0,
    { troubled: "batch ingested with rejects", healthy: "batch ingested" },
    { summary },
  );
}
