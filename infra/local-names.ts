/**
 * The tag that names a stateful resource (or a function) for the local stack. The local stack reads the
 * synthesised template and creates each tagged resource under this friendly name, so the cloud and the
 * local stack are built from the same declaration.
 */
export const LOCAL_NAME_TAG = "tailor:local-name";

/** The friendly names the local stack gives the resources this app declares. */
export const LOCAL_NAMES = {
  eventStream: "tailor-events",
  profileTable: "tailor-profiles",
  quarantineBucket: "tailor-quarantine",
  ingestDeadLetterQueue: "tailor-ingest-dlq",
  ingestFunction: "tailor-ingest",
  timersTable: "tailor-timers",
  segmentsTable: "tailor-segments",
  transitionsQueue: "tailor-segment-transitions",
  transitionsDeadLetterQueue: "tailor-segment-transitions-dlq",
  segmentTimersFunction: "tailor-segment-timers",
  segmentTimersSchedule: "tailor-segment-timers-schedule",
  segmentTimersScheduleDeadLetterQueue: "tailor-segment-timers-schedule-dlq",
} as const;

/** One of the friendly names above. */
export type LocalName = (typeof LOCAL_NAMES)[keyof typeof LOCAL_NAMES];
