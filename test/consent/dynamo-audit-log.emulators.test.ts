import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditRangeError, DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import type { AuditAction, AuditEntry } from "#shared/ports.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 23, 12);

let stop: () => Promise<void>;
let dynamodb: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});

afterAll(async () => {
  await stop?.();
});

/** A fresh `tailor-audit`-shaped table (pk/sk strings), so tests do not see each other's entries. */
async function auditLog(): Promise<{ log: DynamoAuditLog; tableName: string }> {
  const tableName = `audit-${++tables}`;
  await createTable(dynamodb, tableName, "pk", "sk");
  return { log: new DynamoAuditLog({ client: dynamodb, tableName }), tableName };
}

function entry(id: string, at: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at,
    action: "consent.changed",
    actor: "app:test",
    customerHash: "h-ann",
    details: { purpose: "marketing_email", granted: true, source: "signup_form" },
    ...overrides,
  };
}

describe("DynamoAuditLog.append", () => {
  it("writes an id once: a retried append, or the same id at another time, adds nothing", async () => {
    // Prepare
    const { log, tableName } = await auditLog();
    const first = entry("m-1", T0);

    // Act
    await log.append([first]);
    await log.append([first]);
    await log.append([entry("m-1", T0 + HOUR, { details: { purpose: "profiling", granted: false } })]);

    // Assess
    expect(await log.forCustomer("h-ann")).toEqual([first]);
    expect(await log.between(T0 - DAY, T0 + DAY)).toEqual([first]);
    const scan = await dynamodb.send(new ScanCommand({ TableName: tableName }));
    expect(scan.Count).toBe(3);
  });

  it("keeps every field of the entry, details typed", async () => {
    // Prepare
    const { log } = await auditLog();
    const erased = entry("erase-1", T0, {
      action: "customer.erased",
      actor: "cli:ops",
      customerHash: "h-bob",
      details: { profiles: 1, ledger: 3, tombstone: true, note: "requested by email" },
    });

    // Act
    await log.append([erased]);

    // Assess
    expect(await log.forCustomer("h-bob")).toEqual([erased]);
  });
});

describe("DynamoAuditLog.forCustomer", () => {
  it("returns only the customer's entries, newest first, up to the limit", async () => {
    // Prepare
    const { log } = await auditLog();
    const times = [T0 + 5, T0 - 3 * DAY, T0 + 2 * HOUR, T0, T0 - 40 * DAY];
    await log.append([
      ...times.map((at, index) => entry(`a-${index}`, at)),
      entry("b-1", T0 + HOUR, { customerHash: "h-bob" }),
    ]);

    // Act
    const all = await log.forCustomer("h-ann");
    const two = await log.forCustomer("h-ann", 2);

    // Assess
    const newestFirst = [...times].sort((a, b) => b - a);
    expect(all.map((found) => found.at)).toEqual(newestFirst);
    expect(all.every((found) => found.customerHash === "h-ann")).toBe(true);
    expect(two.map((found) => found.at)).toEqual(newestFirst.slice(0, 2));
    expect(await log.forCustomer("h-nobody")).toEqual([]);
  });
});

describe("DynamoAuditLog.between", () => {
  it("returns entries of every customer within the range (bounds included), across days, newest first", async () => {
    // Prepare
    const { log } = await auditLog();
    const from = T0 - 2 * DAY;
    const to = T0 + HOUR;
    await log.append([
      entry("before", from - 1),
      entry("at-from", from),
      entry("day-before", T0 - DAY, { customerHash: "h-bob" }),
      entry("same-ms-1", T0),
      entry("same-ms-2", T0, { customerHash: "h-cy" }),
      entry("at-to", to),
      entry("after", to + 1),
      entry("next-day", T0 + DAY),
    ]);

    // Act
    const found = await log.between(from, to);

    // Assess
    expect(found.map((e) => e.id)).toEqual(["at-to", "same-ms-2", "same-ms-1", "day-before", "at-from"]);
  });

  it("keeps only the action asked for, and fills the limit past filtered entries", async () => {
    // Prepare
    const { log } = await auditLog();
    const actions: AuditAction[] = [];
    for (let i = 0; i < 30; i++) actions.push(i % 10 === 0 ? "customer.erased" : "consent.changed");
    await log.append(actions.map((action, i) => entry(`e-${i}`, T0 - i * HOUR, { action })));

    // Act
    const erased = await log.between(T0 - 2 * DAY, T0, { action: "customer.erased" });
    const latestTwoErased = await log.between(T0 - 2 * DAY, T0, { action: "customer.erased", limit: 2 });
    const latestFive = await log.between(T0 - 2 * DAY, T0, { limit: 5 });

    // Assess
    expect(erased.map((e) => e.id)).toEqual(["e-0", "e-10", "e-20"]);
    expect(latestTwoErased.map((e) => e.id)).toEqual(["e-0", "e-10"]);
    expect(latestFive.map((e) => e.id)).toEqual(["e-0", "e-1", "e-2", "e-3", "e-4"]);
  });

  it("returns nothing for an inverted range and refuses one longer than a year", async () => {
    // Prepare
    const { log } = await auditLog();
    await log.append([entry("x", T0)]);

    // Act / Assess
    expect(await log.between(T0 + 1, T0 - 1)).toEqual([]);
    await expect(log.between(T0 - 400 * DAY, T0)).rejects.toBeInstanceOf(AuditRangeError);
  });
});
