import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localNameTag, parseTemplate, tableProperties } from "#infra/local/cfn-template.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoTimerErasure } from "#shared/aws/dynamo-erasure.js";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import type { SendIntent } from "#shared/domain/campaigns/contracts.js";
import { startDynalite } from "../support/dynamo-table.js";

/**
 * Erasure and export find a customer's timers by the timers table's customer index, on dynalite, with the table
 * created from the synthesised template's definition (keys and index): no Scan is sent, and only that customer's
 * timers (segment and send) go; the minute index, the cursors and other customers' timers stay.
 */

const T0 = Date.UTC(2026, 10, 23, 12);
const MINUTE = 60_000;
const TABLE = "timers-by-customer";

let stop: () => Promise<void>;
let dynamodb: DynamoDBClient;
/** The commands the client sent, by name, since the last reset. */
const sent: string[] = [];

/** The timers table as the stack declares it (the template the project synthesised once), renamed. */
async function timersTableInput(): Promise<CreateTableCommandInput> {
  const template = parseTemplate(await stackTemplate());
  const table = Object.values(template.Resources).find(
    (resource) =>
      resource.Type === "AWS::DynamoDB::Table" &&
      localNameTag(tableProperties.parse(resource.Properties).Tags) === LOCAL_NAMES.timersTable,
  );
  const properties = tableProperties.parse(table?.Properties);
  return {
    TableName: TABLE,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: properties.BillingMode,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
  };
}

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  await dynamodb.send(new CreateTableCommand(await timersTableInput()));
  dynamodb.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? "?");
      return next(args);
    },
    { step: "initialize" },
  );
}, 30_000);

afterAll(async () => {
  await stop?.();
});

function intent(customerId: string, dueAt: number): SendIntent {
  return {
    key: `cart#${customerId}#${dueAt}#0`,
    campaignId: "cart",
    customerId,
    occurrence: String(dueAt),
    step: 0,
    template: "cart",
    dueAt,
    startedAt: T0,
  };
}

describe("DynamoTimerErasure on the customer index", () => {
  it("lists and erases one customer's segment and send timers without a scan, leaving everything else", async () => {
    // GIVEN two customers with segment timers and send timers in several minutes, and a poll that wrote a cursor
    const segments = new DynamoTimers({ client: dynamodb, tableName: TABLE });
    const sends = new DynamoSendTimers({ client: dynamodb, tableName: TABLE });
    for (const customer of ["gone-1", "kept-1"]) {
      await segments.schedule(customer, T0 + 5 * MINUTE);
      await segments.schedule(customer, T0 + 65 * MINUTE);
      await sends.schedule(intent(customer, T0 + 10 * MINUTE));
    }
    await segments.due(T0, 10);
    const before = await scanAll();
    const erasure = new DynamoTimerErasure({ client: dynamodb, tableName: TABLE });
    sent.length = 0;

    // WHEN the customer's timers are listed (export), then erased
    const listed = await erasure.list("gone-1");
    const erased = await erasure.erase("gone-1");

    // THEN both found exactly the customer's three timers, by Query on the index, never a Scan
    expect(listed.map((timer) => [timer.kind, timer.dueAt]).sort()).toEqual([
      ["segment", T0 + 5 * MINUTE],
      ["segment", T0 + 65 * MINUTE],
      ["send", T0 + 10 * MINUTE],
    ]);
    expect(listed.find((timer) => timer.kind === "send")?.payload).toContain('"customerId":"gone-1"');
    expect(erased).toBe(3);
    expect(sent).not.toContain("ScanCommand");
    expect(sent.filter((name) => name === "QueryCommand")).toHaveLength(2);
    // ...and only those three items left the table
    const after = await scanAll();
    expect(before.length - after.length).toBe(3);
    expect(after.some((item) => item.includes("gone-1"))).toBe(false);
    expect(after.filter((item) => item.includes("kept-1"))).toHaveLength(3);
    expect(after.some((item) => item.includes("cursor"))).toBe(true);
    expect(await erasure.list("gone-1")).toEqual([]);
    expect(await erasure.list("kept-1")).toHaveLength(3);
  });
});

/** Every item of the table, each as its JSON, for the test's own checks. */
async function scanAll(): Promise<string[]> {
  const out = await dynamodb.send(new ScanCommand({ TableName: TABLE }));
  return (out.Items ?? []).map((item) => JSON.stringify(item));
}
