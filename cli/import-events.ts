import { createHash } from "node:crypto";
import { parseEvent } from "#shared/domain/events/parse-event.js";
import type { ImportRow, Refusal } from "./import-mapping.js";

/** A Segment-spec event built from import rows, as JSON, and the file lines it came from. */
export interface HistoricalEvent {
  readonly customerId: string;
  readonly kind: "identify" | "consent" | "order";
  /** The event as it goes on the wire (`context.tailor.historical = true`). */
  readonly json: string;
  readonly lines: readonly number[];
}

/** What the rows of one customer became: the events, and the rows refused because their event was invalid. */
export interface CustomerEvents {
  readonly events: HistoricalEvent[];
  readonly refused: Refusal[];
}

/** The import's library name in `context.library`: the audit log's actor of imported consent (`app:tailor-import`). */
export const IMPORT_LIBRARY = "tailor-import";

/**
 * A stable messageId from what the event is about, so re-running the same import yields the same ids and the
 * fold's de-duplication makes it a no-op: `import-` and 32 hex characters of a SHA-256.
 */
export function importMessageId(parts: readonly (string | number | boolean | undefined)[]): string {
  return `import-${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}

interface Draft {
  readonly kind: HistoricalEvent["kind"];
  readonly messageId: string;
  timestamp: number;
  readonly body: Record<string, unknown>;
  readonly lines: number[];
}

const sortedEntries = (record: Readonly<Record<string, string>>) =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Turns the rows of ONE customer into events, each checked by the same parser the stream uses:
 *
 * - an `identify` per distinct set of traits (and signed-up time), at `created_at`, else at the row's order time,
 *   else at `now` (rows repeating the same traits make one identify);
 * - a `Consent Updated` (marketing_email, source `import`) per distinct decision, at `consent_at`, else as above;
 * - an `Order Completed` per `order_id`, with every line of the order as `products` and the order-level amounts
 *   of its first row that has them, at the earliest `ordered_at` of its rows; its id depends on the customer and
 *   the order id only, so an order is counted once however its lines are spread over the file.
 *
 * An event the parser refuses refuses every row it came from, naming the event field and the rule.
 */
export function customerEvents(rows: readonly ImportRow[], now: number): CustomerEvents {
  const first = rows[0];
  if (first === undefined) return { events: [], refused: [] };
  const customerId = first.customerId;
  const drafts = new Map<string, Draft>();
  /** The draft of `messageId`, created with `body` the first time; later rows add their line and time. */
  const add = (
    kind: Draft["kind"],
    messageId: string,
    timestamp: number,
    line: number,
    body: () => Record<string, unknown>,
  ): Draft => {
    const known = drafts.get(messageId);
    if (known === undefined) {
      const draft: Draft = { kind, messageId, timestamp, body: body(), lines: [line] };
      drafts.set(messageId, draft);
      return draft;
    }
    known.timestamp = Math.min(known.timestamp, timestamp);
    known.lines.push(line);
    return known;
  };
  for (const row of rows) {
    const rowTime = row.createdAt ?? row.order?.at ?? now;
    if (Object.keys(row.traits).length > 0 || row.createdAt !== undefined || row.order === undefined) {
      const traits = sortedEntries(row.traits);
      const id = importMessageId([customerId, "identify", JSON.stringify(traits), row.createdAt]);
      add("identify", id, rowTime, row.line, () => ({
        type: "identify",
        traits: Object.fromEntries(traits),
      }));
    }
    if (row.consent !== undefined) {
      const at = row.consent.at ?? rowTime;
      const { granted } = row.consent;
      add("consent", importMessageId([customerId, "consent", granted, row.consent.at]), at, row.line, () => ({
        type: "track",
        event: "Consent Updated",
        properties: { purpose: "marketing_email", granted, source: "import" },
      }));
    }
    const order = row.order;
    if (order !== undefined) {
      const id = importMessageId([customerId, "order", order.orderId]);
      const { properties } = add("order", id, order.at, row.line, () => ({
        type: "track",
        event: "Order Completed",
        properties: { order_id: order.orderId, currency: order.currency, products: [] },
      })).body;
      if (isRecord(properties)) {
        for (const key of ["total", "revenue", "discount"] as const) {
          const value = order[key];
          if (value !== undefined && properties[key] === undefined) properties[key] = value;
        }
        if (order.line !== undefined && Array.isArray(properties.products))
          properties.products.push(order.line);
      }
    }
  }
  const events: HistoricalEvent[] = [];
  const refused: Refusal[] = [];
  for (const draft of drafts.values()) {
    const event = {
      ...draft.body,
      messageId: draft.messageId,
      userId: customerId,
      timestamp: new Date(draft.timestamp).toISOString(),
      context: { library: { name: IMPORT_LIBRARY }, tailor: { historical: true } },
    };
    const parsed = parseEvent(event, now);
    if (parsed.ok) {
      events.push({ customerId, kind: draft.kind, json: JSON.stringify(event), lines: draft.lines });
      continue;
    }
    const issue = parsed.error.issues[0];
    for (const line of draft.lines) {
      refused.push({
        line,
        field: issue?.path || "event",
        rule: issue?.rule ?? "invalid",
        message: `${draft.kind === "order" ? "order" : draft.kind} refused: ${issue?.message ?? parsed.error.message}`,
      });
    }
  }
  return { events, refused };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
