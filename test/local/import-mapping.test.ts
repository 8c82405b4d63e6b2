import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvParser, parseCsv } from "#cli/csv-parser.js";
import type { HistoricalEvent } from "#cli/import-events.js";
import { customerEvents, importMessageId } from "#cli/import-events.js";
import {
  DEFAULT_MAPPING,
  type ImportMapping,
  type ImportRow,
  isRefusal,
  loadMapping,
  mapRow,
  type Refusal,
} from "#cli/import-mapping.js";
import { type ImportSink, runImport, type SinkResult } from "#cli/import-run.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { tempDir } from "./helpers.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const temp = tempDir("tailor-import-unit-");
afterAll(() => temp.remove());

/** Maps one row given as column → value. */
function map(cells: Record<string, string>, mapping: ImportMapping = DEFAULT_MAPPING, line = 2) {
  return mapRow(mapping, (column) => cells[column], line, NOW);
}

function accepted(cells: Record<string, string>): ImportRow {
  const row = map(cells);
  if (isRefusal(row)) throw new Error(`refused: ${row.message}`);
  return row;
}

const orderRow = (overrides: Record<string, string> = {}) => ({
  customer_id: "c-1",
  email: "ada@example.com",
  order_id: "o-1",
  ordered_at: "2026-01-10T09:30:00Z",
  currency: "eur",
  total: "59.90",
  product_id: "p-1",
  category: "shoes",
  price: "29.95",
  quantity: "2",
  ...overrides,
});

describe("CsvParser", () => {
  const text = 'a,b,c\r\n1,"two, with comma","say ""hi"""\r\n3,"multi\nline",x\n4,,\n';

  it("reads RFC 4180 text the same whatever the chunking", () => {
    const whole = parseCsv(text);
    expect(whole.map((r) => r.fields)).toEqual([
      ["a", "b", "c"],
      ["1", "two, with comma", 'say "hi"'],
      ["3", "multi\nline", "x"],
      ["4", "", ""],
    ]);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    for (const size of [1, 2, 3, 7]) {
      const parser = new CsvParser();
      const rows = [];
      for (let i = 0; i < text.length; i += size) rows.push(...parser.push(text.slice(i, i + size)));
      rows.push(...parser.end());
      expect(rows).toEqual(whole);
    }
  });

  it("refuses a quoted field that never closes, naming its line", () => {
    const parser = new CsvParser();
    parser.push('a\n"open');
    expect(() => parser.end()).toThrow(/line 2 is never closed/);
  });
});

describe("mapRow", () => {
  it("reads an order line: amounts, currency upper-cased, time, product", () => {
    const row = accepted(orderRow());
    expect(row.order).toEqual({
      orderId: "o-1",
      at: Date.UTC(2026, 0, 10, 9, 30),
      currency: "EUR",
      total: 59.9,
      line: { product_id: "p-1", category: "shoes", price: 29.95, quantity: 2 },
    });
    expect(row.traits).toEqual({ email: "ada@example.com" });
  });

  it("reads a customer-only row: traits, signed-up time, consent", () => {
    const row = accepted({
      customer_id: "c-2",
      first_name: "Bo",
      created_at: "2024-05-01",
      marketing_consent: "Yes",
    });
    expect(row).toEqual({
      line: 2,
      customerId: "c-2",
      traits: { first_name: "Bo" },
      createdAt: Date.UTC(2024, 4, 1),
      consent: { granted: true },
    });
  });

  it.each([
    [{ customer_id: " " }, "customer_id", "required"],
    [{ ordered_at: "" }, "ordered_at", "required"],
    [{ ordered_at: "10/01/2026" }, "ordered_at", "time"],
    [{ ordered_at: "1999-12-31" }, "ordered_at", "time"],
    [{ ordered_at: "2027-01-01" }, "ordered_at", "range"],
    [{ total: "12,50" }, "total", "number"],
    [{ price: "-1" }, "price", "range"],
    [{ quantity: "1.5" }, "quantity", "integer"],
    [{ currency: "euro" }, "currency", "currency"],
    [{ product_id: "", name: "Shoe" }, "product_id", "required"],
    [{ marketing_consent: "maybe" }, "marketing_consent", "boolean"],
  ])("refuses %o: field %s, rule %s", (overrides, field, rule) => {
    const row = map(orderRow(overrides), DEFAULT_MAPPING, 7);
    expect(isRefusal(row)).toBe(true);
    expect(row).toMatchObject({ line: 7, field, rule });
  });

  it("reads and refuses through an override mapping, naming the file's own columns", () => {
    const file = path.join(temp.dir, "mapping.json");
    writeFileSync(
      file,
      JSON.stringify({
        columns: { customer_id: "Customer", ordered_at: "Created", order_id: "Order" },
        traits: { tier: "Loyalty" },
        defaultCurrency: "gbp",
      }),
    );
    const mapping = loadMapping(file);
    const good = mapRow(
      mapping,
      (c) => ({ Customer: "c-9", Order: "o-9", Created: "1700000000", Loyalty: "gold" })[c],
      3,
      NOW,
    );
    expect(good).toMatchObject({
      customerId: "c-9",
      traits: { tier: "gold" },
      order: { orderId: "o-9", at: 1_700_000_000_000, currency: "GBP" },
    });
    const bad = mapRow(mapping, (c) => ({ Customer: "c-9", Order: "o-9", Created: "soon" })[c], 4, NOW);
    expect(bad).toMatchObject({ line: 4, field: "Created", rule: "time" });
  });

  it("refuses a mapping file with an unknown field, naming it", () => {
    const file = path.join(temp.dir, "bad-mapping.json");
    writeFileSync(file, JSON.stringify({ columns: { customer: "Id" } }));
    expect(() => loadMapping(file)).toThrow(/bad-mapping\.json: invalid mapping at columns/);
  });
});

describe("customerEvents", () => {
  const rows = [
    accepted(orderRow()),
    accepted(orderRow({ product_id: "p-2", price: "0", quantity: "1" })),
    accepted(
      orderRow({
        order_id: "o-2",
        ordered_at: "2026-03-01T10:00:00Z",
        total: "10",
        price: "10",
        quantity: "1",
      }),
    ),
  ];

  it("makes one Order Completed per order with its lines, one identify for repeated traits, all historical", () => {
    const { events, refused } = customerEvents(rows, NOW);
    expect(refused).toEqual([]);
    expect(events.map((e) => [e.kind, e.lines])).toEqual([
      ["identify", [2, 2, 2]],
      ["order", [2, 2]],
      ["order", [2]],
    ]);
    const parsed = events.map((e) => parseEvent(JSON.parse(e.json), NOW));
    const orders = parsed.flatMap((p) => (p.ok && p.event.kind === "order_completed" ? [p.event] : []));
    expect(
      orders.map((o) => [o.order.orderId, o.order.total, o.order.products.length, o.historical]),
    ).toEqual([
      ["o-1", 5990, 2, true],
      ["o-2", 1000, 1, true],
    ]);
    const identify = parsed[0];
    expect(identify?.ok && identify.event.timestamp).toBe(Date.UTC(2026, 0, 10, 9, 30));
  });

  it("gives the same messageIds on every run (re-imports de-duplicate), distinct per customer and order", () => {
    const ids = (r: readonly ImportRow[]) =>
      customerEvents(r, NOW).events.map((e) => JSON.parse(e.json).messageId);
    expect(ids(rows).sort()).toEqual(ids([...rows].reverse()).sort());
    expect(ids(rows)).toContain(importMessageId(["c-1", "order", "o-1"]));
    expect(new Set(ids(rows)).size).toBe(3);
  });

  it("refuses every row of an event the parser refuses, with the event field and rule", () => {
    const bad = accepted(orderRow({ email: "not-an-email" }));
    const { events, refused } = customerEvents([{ ...bad, line: 5 }], NOW);
    expect(events.map((e) => e.kind)).toEqual(["order"]);
    expect(refused).toEqual([expect.objectContaining({ line: 5, field: "traits.email" })]);
  });
});

describe("runImport", () => {
  /** A sink that keeps what it was given, one array per delivery. */
  function recordingSink(): ImportSink & { deliveries: HistoricalEvent[][] } {
    const deliveries: HistoricalEvent[][] = [];
    return {
      deliveries,
      async send(events): Promise<SinkResult> {
        deliveries.push([...events]);
        return {
          failed: new Map(),
          written: new Set(events.map((e) => e.customerId)).size,
          unchanged: 0,
          duplicates: 0,
          erased: 0,
        };
      },
    };
  }

  it("delivers every customer's rows together, wherever they are in the file, over several partitions", async () => {
    const file = path.join(temp.dir, "spread.csv");
    const lines = ["customer_id,order_id,ordered_at,total"];
    for (let i = 0; i < 300; i++) lines.push(`c-${i % 50},o-${i},2026-01-01T00:00:00Z,${i}`);
    writeFileSync(file, lines.join("\n"));
    const sink = recordingSink();
    const report = await runImport({
      file,
      format: "csv",
      mapping: DEFAULT_MAPPING,
      sink,
      now: NOW,
      customersPerDelivery: 7,
      partitionBytes: 1024,
    });
    expect(report).toMatchObject({ rows: 300, rowsImported: 300, customers: 50, orders: 300, refused: [] });
    const deliveryOf = new Map<string, number>();
    sink.deliveries.forEach((events, index) => {
      for (const event of events) {
        expect(deliveryOf.get(event.customerId) ?? index).toBe(index);
        deliveryOf.set(event.customerId, index);
      }
    });
    expect(deliveryOf.size).toBe(50);
  });

  it("reads JSON lines and refuses what is not a row, by line", async () => {
    const file = path.join(temp.dir, "history.jsonl");
    writeFileSync(
      file,
      [
        JSON.stringify({
          customer_id: "c-1",
          order_id: "o-1",
          ordered_at: "2026-01-01T00:00:00Z",
          total: 12.5,
        }),
        "{not json",
        "[1,2]",
        "",
        JSON.stringify({ customer_id: 42, email: "x@example.com", created_at: 1_700_000_000 }),
        JSON.stringify({ email: "nobody@example.com" }),
      ].join("\n"),
    );
    const report = await runImport({
      file,
      format: "jsonl",
      mapping: DEFAULT_MAPPING,
      sink: recordingSink(),
      now: NOW,
    });
    expect(report.customers).toBe(2);
    expect(report.orders).toBe(1);
    expect(report.refused.map((r: Refusal) => [r.line, r.field, r.rule])).toEqual([
      [2, "", "json"],
      [3, "", "json"],
      [6, "customer_id", "required"],
    ]);
  });

  it("reports the events a sink failed as refused rows, and does not count them imported", async () => {
    const file = path.join(temp.dir, "fail.csv");
    writeFileSync(file, "customer_id,order_id,ordered_at\nc-1,o-1,2026-01-01\nc-2,o-2,2026-01-01\n");
    const sink: ImportSink = {
      async send(events) {
        const failed = new Map(
          events.flatMap((e, i) => (e.customerId === "c-2" ? [[i, "throttled"] as const] : [])),
        );
        return { failed, written: 1, unchanged: 0, duplicates: 0, erased: 0 };
      },
    };
    const report = await runImport({ file, format: "csv", mapping: DEFAULT_MAPPING, sink, now: NOW });
    expect(report.rowsImported).toBe(1);
    expect(report.customers).toBe(1);
    expect(report.refused).toEqual([{ line: 3, field: "", rule: "write", message: "throttled" }]);
  });

  it("ends with the sink's error when a delivery fails for good (the store unreachable)", async () => {
    const file = path.join(temp.dir, "down.csv");
    writeFileSync(file, "customer_id,order_id,ordered_at\nc-1,o-1,2026-01-01\nc-2,o-2,2026-01-01\n");
    const sink: ImportSink = {
      send: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8000")),
    };
    await expect(
      runImport({ file, format: "csv", mapping: DEFAULT_MAPPING, sink, now: NOW, customersPerDelivery: 1 }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
