import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import {
  DEFAULT_AUDIT_RETENTION_DAYS,
  DEFAULT_LEDGER_RETENTION_DAYS,
  DEFAULT_TIMER_GRACE_DAYS,
  ttlAttribute,
} from "#shared/aws/dynamo-ttl.js";
import type { SendIntent } from "#shared/domain/campaigns/contracts.js";

const DAY = 86_400_000;
/** 12:00:00.750 UTC: the fraction of a second must be dropped, not rounded up. */
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0, 750);
const client = new DynamoDBClient({ region: "us-east-1" });
const mock = mockClient(client);

afterEach(() => mock.reset());

/** The PutItem requests sent, and each one's `ttl` in epoch seconds. */
function puts(): { input: PutItemCommandInput; ttl: number }[] {
  return mock.commandCalls(PutItemCommand).map((call) => {
    const input = call.args[0].input;
    return { input, ttl: Number(input.Item?.ttl?.N) };
  });
}

const intent: SendIntent = {
  key: "cart#c-1#1#0",
  campaignId: "cart",
  customerId: "c-1",
  occurrence: "1",
  step: 0,
  template: "cart",
  dueAt: T0 + 4 * 3_600_000,
  startedAt: T0,
};

describe("ttlAttribute", () => {
  it("is the time plus the days, in whole epoch seconds", () => {
    expect(ttlAttribute(T0, 1)).toEqual({ ttl: { N: String(Math.floor((T0 + DAY) / 1000)) } });
    expect(ttlAttribute(0, 400)).toEqual({ ttl: { N: String(400 * 86_400) } });
  });

  it("refuses a retention that is not a whole number of days from 1", () => {
    for (const days of [0, -3, 1.5, Number.NaN]) expect(() => ttlAttribute(T0, days)).toThrow(RangeError);
    expect(() => new DynamoSendLedger({ client, tableName: "ledger", retentionDays: 0 })).toThrow(RangeError);
  });
});

describe("the ttl each adapter writes", () => {
  it("send ledger: claim, settlement, log entry and acceptance, each from its own time", async () => {
    // GIVEN
    mock.on(PutItemCommand).resolves({});
    const ledger = new DynamoSendLedger({ client, tableName: "ledger", retentionDays: 90 });
    // WHEN a send is claimed, settled with its log entry, and its SES acceptance recorded a minute later
    await ledger.claim(intent, T0);
    await ledger.record({
      key: intent.key,
      customerId: "c-1",
      campaignId: "cart",
      purpose: "marketing",
      priority: 5,
      at: T0 + 1000,
      outcome: "sent",
    });
    await ledger.recordAccepted({ sendRef: "ref", messageId: "m-1", acceptedAt: T0 + 60_000 });
    // THEN
    const seconds = (at: number, days: number) => Math.floor((at + days * DAY) / 1000);
    expect(puts().map((put) => put.ttl)).toEqual([
      seconds(T0, 90),
      seconds(T0 + 1000, 90),
      seconds(T0 + 1000, 90),
      seconds(T0 + 60_000, 90),
    ]);
  });

  it("send ledger without a setting: 400 days", async () => {
    mock.on(PutItemCommand).resolves({});
    await new DynamoSendLedger({ client, tableName: "ledger" }).claim(intent, T0);
    expect(puts()[0]?.ttl).toBe(Math.floor((T0 + DEFAULT_LEDGER_RETENTION_DAYS * DAY) / 1000));
  });

  it("audit log: the guard and both copies expire together, from the entry's time (three years by default)", async () => {
    // GIVEN
    mock.on(PutItemCommand).resolves({});
    const entry = {
      id: "consent#1",
      at: T0,
      action: "consent.changed" as const,
      actor: "ingest",
      customerHash: "ab12",
      details: { purpose: "marketing" },
    };
    // WHEN
    await new DynamoAuditLog({ client, tableName: "audit" }).append([entry]);
    await new DynamoAuditLog({ client, tableName: "audit", retentionDays: 2000 }).append([entry]);
    // THEN
    const ttls = puts().map((put) => put.ttl);
    expect(ttls).toHaveLength(6);
    const byDefault = Math.floor((T0 + DEFAULT_AUDIT_RETENTION_DAYS * DAY) / 1000);
    expect(ttls.slice(0, 3)).toEqual([byDefault, byDefault, byDefault]);
    expect(ttls.slice(3)).toEqual(Array(3).fill(Math.floor((T0 + 2000 * DAY) / 1000)));
  });

  it("timers: the timer from its due time, its minute's index entry from the minute's end; send timers too", async () => {
    // GIVEN
    mock.on(PutItemCommand).resolves({});
    const dueAt = T0 + 90_000; // 12:01:30.750
    // WHEN
    await new DynamoTimers({ client, tableName: "timers", graceDays: 7 }).schedule("c-1", dueAt);
    await new DynamoSendTimers({ client, tableName: "timers" }).schedule({ ...intent, dueAt });
    // THEN
    const [index, timer, sendIndex, sendTimer] = puts();
    const minuteEnd = Date.UTC(2026, 10, 23, 12, 2);
    expect(index?.ttl).toBe(Math.floor((minuteEnd + 7 * DAY) / 1000));
    expect(timer?.ttl).toBe(Math.floor((dueAt + 7 * DAY) / 1000));
    expect(sendIndex?.ttl).toBe(Math.floor((minuteEnd + DEFAULT_TIMER_GRACE_DAYS * DAY) / 1000));
    expect(sendTimer?.ttl).toBe(Math.floor((dueAt + DEFAULT_TIMER_GRACE_DAYS * DAY) / 1000));
    expect(sendTimer?.input.Item?.customerId).toEqual({ S: "c-1" });
  });
});
