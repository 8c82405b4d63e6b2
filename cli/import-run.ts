import { statSync } from "node:fs";
import type { HistoricalEvent } from "./import-events.js";
import { customerEvents } from "./import-events.js";
import { type ImportMapping, type ImportRow, isRefusal, mapRow, type Refusal } from "./import-mapping.js";
import { PARTITION_BYTES, Partitions } from "./import-partitions.js";
import { type ImportFormat, openSource, type RawRecord } from "./import-source.js";

/** What a sink did with one delivery of events. */
export interface SinkResult {
  /** Positions (in the delivered array) of the events that could not be delivered, with the reason. */
  readonly failed: ReadonlyMap<number, string>;
  /** Profiles written (changed), and profiles the events did not change (all duplicates: a re-run). */
  readonly written: number;
  readonly unchanged: number;
  /** Events skipped as already applied (the fold's messageId memory). */
  readonly duplicates: number;
  /** Events dropped because their customer was erased. */
  readonly erased: number;
}

/** Where the built events go: the ingest use case in-process, or a deployed stack's `/v1/import`. */
export interface ImportSink {
  send(events: readonly HistoricalEvent[]): Promise<SinkResult>;
}

/** Where an import is, for the progress bar. */
export interface ImportProgress {
  readonly phase: "reading" | "writing";
  readonly rowsRead: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Distinct customers read (known in full once reading ends). */
  readonly customers: number;
  readonly customersDone: number;
  readonly startedAt: number;
}

/** What an import did. */
export interface ImportReport {
  /** Rows read (blank lines and the CSV header aside). */
  readonly rows: number;
  /** Rows whose events were all delivered. */
  readonly rowsImported: number;
  /** Customers with at least one event delivered. */
  readonly customers: number;
  readonly orders: number;
  readonly events: number;
  readonly profilesWritten: number;
  readonly profilesUnchanged: number;
  readonly duplicates: number;
  readonly erased: number;
  /** Every refusal, by line. */
  readonly refused: readonly Refusal[];
  readonly elapsedMs: number;
}

/** What {@link runImport} needs. */
export interface ImportOptions {
  readonly file: string;
  readonly format: ImportFormat;
  readonly mapping: ImportMapping;
  readonly sink: ImportSink;
  /** The time of the import (epoch ms): times after it are refused; rows without any time are dated to it. */
  readonly now: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Customers per delivery. @default 500 */
  readonly customersPerDelivery?: number;
  /** Deliveries in flight. @default 2 */
  readonly concurrency?: number;
  /** Input bytes per partition (see {@link PARTITION_BYTES}). */
  readonly partitionBytes?: number;
}

const EVENTS_PER_DELIVERY = 5000;

/**
 * Imports a file of historical customers and orders in two passes. Reading: each row is checked for a customer
 * id and put in its customer's partition (a hash of the id). Writing: partition by partition, the rows of each
 * customer are mapped, turned into events (see `customerEvents`) and delivered with the rows of a few hundred
 * other customers, so each customer is folded and written once, wherever its rows are in the file. Every refused
 * row is reported with its line, field and rule; nothing is refused silently.
 */
export async function runImport(options: ImportOptions): Promise<ImportReport> {
  const startedAt = Date.now();
  const totalBytes = statSync(options.file).size;
  const refused: Refusal[] = [];
  const customerIds = new Set<string>();
  let bytesRead = 0;
  let rowsRead = 0;
  let customersDone = 0;
  let phase: ImportProgress["phase"] = "reading";
  const progress = () =>
    options.onProgress?.({
      phase,
      rowsRead,
      bytesRead,
      totalBytes,
      customers: customerIds.size,
      customersDone,
      startedAt,
    });
  const source = openSource(options.file, options.format, options.mapping, (bytes) => {
    bytesRead += bytes;
  });
  const partitions = new Partitions(Math.ceil(totalBytes / (options.partitionBytes ?? PARTITION_BYTES)));
  const totals = { customers: 0, orders: 0, events: 0, written: 0, unchanged: 0, duplicates: 0, erased: 0 };
  try {
    for await (const item of source.items) {
      rowsRead++;
      if ("refused" in item) refused.push(item.refused);
      else {
        customerIds.add(item.record.customerId);
        await partitions.add(item.record);
      }
      if (rowsRead % 5000 === 0) progress();
    }
    await partitions.finish();
    phase = "writing";
    progress();
    const cells = source.cells();
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const deliver = async (customers: number, events: HistoricalEvent[]) => {
      const result = await options.sink.send(events);
      const failedCustomers = new Set<string>();
      for (const [index, reason] of result.failed) {
        const event = events[index];
        if (event === undefined) continue;
        failedCustomers.add(event.customerId);
        for (const line of event.lines) refused.push({ line, field: "", rule: "write", message: reason });
      }
      const delivered = events.filter((_, index) => !result.failed.has(index));
      totals.customers += new Set(delivered.map((event) => event.customerId)).size;
      totals.orders += delivered.filter((event) => event.kind === "order").length;
      totals.events += delivered.length;
      totals.written += result.written;
      totals.unchanged += result.unchanged;
      totals.duplicates += result.duplicates;
      totals.erased += result.erased;
      customersDone += customers;
      progress();
    };
    const queue = async (customers: number, events: HistoricalEvent[]) => {
      if (events.length === 0) {
        customersDone += customers;
        return;
      }
      const delivery: Promise<void> = deliver(customers, events)
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(delivery));
      inFlight.add(delivery);
      if (inFlight.size >= (options.concurrency ?? 2)) await Promise.race(inFlight);
      // A delivery that failed for good (not a refused event: the store itself) ends the import.
      if (failure !== undefined) throw failure.error;
    };
    for (let index = 0; index < partitions.count; index++) {
      let events: HistoricalEvent[] = [];
      let customers = 0;
      for (const records of groupByCustomer(partitions.read(index)).values()) {
        const rows: ImportRow[] = [];
        for (const record of records) {
          const row = readRecord(options, cells, record);
          if (isRefusal(row)) refused.push(row);
          else rows.push(row);
        }
        const built = customerEvents(rows, options.now);
        refused.push(...built.refused);
        events.push(...built.events);
        customers++;
        if (customers >= (options.customersPerDelivery ?? 500) || events.length >= EVENTS_PER_DELIVERY) {
          await queue(customers, events);
          events = [];
          customers = 0;
        }
      }
      await queue(customers, events);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure.error;
  } finally {
    partitions.close();
  }
  refused.sort((a, b) => a.line - b.line);
  const refusedLines = new Set(refused.map((r) => r.line));
  return {
    rows: rowsRead,
    rowsImported: rowsRead - refusedLines.size,
    customers: totals.customers,
    orders: totals.orders,
    events: totals.events,
    profilesWritten: totals.written,
    profilesUnchanged: totals.unchanged,
    duplicates: totals.duplicates,
    erased: totals.erased,
    refused,
    elapsedMs: Date.now() - startedAt,
  };
}

function groupByCustomer(records: readonly RawRecord[]): Map<string, RawRecord[]> {
  const groups = new Map<string, RawRecord[]>();
  for (const record of records) {
    const group = groups.get(record.customerId);
    if (group === undefined) groups.set(record.customerId, [record]);
    else group.push(record);
  }
  return groups;
}

function readRecord(
  options: ImportOptions,
  cells: ReturnType<ReturnType<typeof openSource>["cells"]>,
  record: RawRecord,
): ImportRow | Refusal {
  const cell = cells(record.payload);
  if (typeof cell !== "function") return { ...cell, line: record.line };
  return mapRow(options.mapping, cell, record.line, options.now);
}
