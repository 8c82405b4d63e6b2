import { App } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { resolveRetentionSettings } from "#infra/components/retention-settings.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { TailorStack } from "#infra/tailor-stack.js";
import { TIMERS_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-timers.js";
import { defaultApp } from "./shared-app.js";
import { logicalIdOf, statementsOf } from "./template-queries.js";

const node = (context: Record<string, unknown>) => new App({ context }).node;

describe("retention", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it, with no retention setting
    ({ stack, template } = defaultApp());
  });

  const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];
  const variablesOf = (fn: IFunction): Record<string, unknown> =>
    resourceOf(fn).Properties.Environment.Variables;

  it("turns TTL on, on `ttl`, for the send ledger, the audit log, the timers and the segments table, and nowhere else", () => {
    // THEN: the segments table's exit markers of the membership index and segment job part states expire.
    for (const table of [stack.ledger.table, stack.audit.table, stack.timers.table, stack.segments.table]) {
      expect(resourceOf(table).Properties.TimeToLiveSpecification, table.node.path).toEqual({
        AttributeName: "ttl",
        Enabled: true,
      });
    }
    for (const table of [stack.profiles.table, stack.writeKeys.table]) {
      expect(resourceOf(table).Properties.TimeToLiveSpecification, table.node.path).toBeUndefined();
    }
  });

  it("gives every function that writes ledger, audit or timer items its retention, the defaults by default", () => {
    // THEN
    const ledger = { LEDGER_RETENTION_DAYS: "400" };
    const audit = { AUDIT_RETENTION_DAYS: "1095" };
    const timers = { TIMER_GRACE_DAYS: "30" };
    expect(variablesOf(stack.dispatch.function)).toMatchObject({ ...ledger, ...timers });
    expect(variablesOf(stack.sesFeedback.function)).toMatchObject(ledger);
    expect(variablesOf(stack.api.function)).toMatchObject(audit);
    expect(variablesOf(stack.ingest.function)).toMatchObject({ ...audit, ...timers });
    for (const fn of [
      stack.segmentTimers.function,
      stack.campaignTriggers.transitionsFunction,
      stack.campaignFanOut.functions.part,
      stack.rescoring.functions.slice,
    ]) {
      expect(variablesOf(fn), fn.node.path).toMatchObject(timers);
    }
  });

  it("indexes the timers by customer, holding what erasure and export read", () => {
    // THEN
    expect(resourceOf(stack.timers.table).Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: TIMERS_BY_CUSTOMER_INDEX,
        KeySchema: [
          { AttributeName: "customerId", KeyType: "HASH" },
          { AttributeName: "k", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["dueAt", "p"] },
      },
    ]);
  });

  it("lets the API query that index only: no Scan, no Query of the timers table itself", () => {
    // THEN
    const role = stack.api.function.role;
    if (role === undefined) throw new Error("the API function has no role");
    const timersId = logicalIdOf(stack.timers.table);
    const onTimers = statementsOf(template, role).filter((statement) =>
      JSON.stringify(statement.Resource).includes(`"${timersId}"`),
    );
    const actions = onTimers.flatMap((statement) => statement.Action);
    expect(actions).not.toContain("dynamodb:Scan");
    const queries = onTimers.filter((statement) => statement.Action.includes("dynamodb:Query"));
    expect(queries).toHaveLength(1);
    expect(queries[0]?.Action).toEqual(["dynamodb:Query"]);
    expect(JSON.stringify(queries[0]?.Resource)).toContain(`/index/${TIMERS_BY_CUSTOMER_INDEX}`);
  });

  it("takes each retention from the props, else the context (`-c ledgerRetentionDays=…`), else its default", () => {
    // WHEN / THEN
    expect(resolveRetentionSettings({}, node({}))).toEqual({
      ledgerRetentionDays: 400,
      auditRetentionDays: 1095,
      timerGraceDays: 30,
      archiveRetentionDays: 400,
    });
    expect(
      resolveRetentionSettings(
        { auditRetentionDays: 2555 },
        node({ ledgerRetentionDays: "90", auditRetentionDays: "10", timerGraceDays: 7 }),
      ),
    ).toEqual({
      ledgerRetentionDays: 90,
      auditRetentionDays: 2555,
      timerGraceDays: 7,
      archiveRetentionDays: 400,
    });
  });

  it("fails the synth on a retention that is not a whole number of days from 1 to 3650, naming it", () => {
    for (const bad of ["0", "2.5", "forever", "", "-1", "4000", true]) {
      expect(() => resolveRetentionSettings({}, node({ ledgerRetentionDays: bad }))).toThrow(
        new InfraConfigError(
          `ledgerRetentionDays must be a whole number of days from 1 to 3650 (e.g. -c ledgerRetentionDays=400), got ${JSON.stringify(bad)}`,
        ),
      );
    }
    expect(() => resolveRetentionSettings({}, node({ timerGraceDays: "soon" }))).toThrow(/timerGraceDays/);
    // ...in the stack, before anything is declared
    const app = new App({ context: { auditRetentionDays: "0", "aws:cdk:bundling-stacks": [] } });
    expect(() => new TailorStack(app, "BadRetention", LOCAL_STACK_SETTINGS)).toThrow(
      /auditRetentionDays must be a whole number/,
    );
  });
});
