import { EVENT_KINDS, type EventKind } from "./event-kinds.js";

/**
 * The value of the `eventType` metric dimension: the event's kind, a track event Tailor has no type for
 * (`custom`) as `other`. Bounded by {@link EVENT_TYPE_DIMENSIONS}, whatever names producers send, so the
 * per-type metric never grows a dimension value per event name.
 */
export type EventTypeDimension = Exclude<EventKind, "custom"> | "other";

/** Every value the `eventType` dimension takes. */
export const EVENT_TYPE_DIMENSIONS: readonly EventTypeDimension[] = [
  ...EVENT_KINDS.filter((kind): kind is Exclude<EventKind, "custom"> => kind !== "custom"),
  "other",
];

/** The dimension value of an event of `kind`. */
export function eventTypeDimension(kind: EventKind): EventTypeDimension {
  return kind === "custom" ? "other" : kind;
}

/** Adds one event of `kind` to per-type counts. */
export function countEventType(counts: Partial<Record<EventTypeDimension, number>>, kind: EventKind): void {
  const type = eventTypeDimension(kind);
  counts[type] = (counts[type] ?? 0) + 1;
}
