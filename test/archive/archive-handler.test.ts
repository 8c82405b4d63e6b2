import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FirehoseEventError } from "#shared/app/archive-transform.js";
import { parseArchiveText } from "#shared/domain/events/archived-record.js";
import { createObservability } from "#shared/lambda/middleware.js";
import { AWS_FIREHOSE_KINESIS_EVENT } from "./firehose-kinesis-event.js";

type HandlerModule = typeof import("#functions/archive/handler.js");
let module: HandlerModule;

beforeAll(async () => {
  vi.stubEnv("POWERTOOLS_SERVICE_NAME", "archive");
  vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Tailor");
  module = await import("#functions/archive/handler.js");
});
afterAll(() => vi.unstubAllEnvs());

describe("the archive transform's handler", () => {
  it("answers Firehose record by record, counting the lines and logging each failure with its reason", async () => {
    // Prepare
    const observability = createObservability({ serviceName: "test", namespace: "Test" });
    const warn = vi.spyOn(observability.logger, "warn").mockImplementation(() => {});
    const count = vi.spyOn(observability.metrics, "addMetric");
    const broken = { recordId: "broken", approximateArrivalTimestamp: 1, data: "AA==" };
    const event = { ...AWS_FIREHOSE_KINESIS_EVENT, records: [...AWS_FIREHOSE_KINESIS_EVENT.records, broken] };

    // Act
    const response = await module.runWith(observability, event);

    // Assess
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ["record1", "Ok"],
      ["record2", "Ok"],
      ["broken", "ProcessingFailed"],
    ]);
    const lines = response.records
      .filter((r) => r.result === "Ok")
      .map((r) => Buffer.from(r.data ?? "", "base64").toString("utf8"));
    expect(parseArchiveText(lines.join("")).records).toHaveLength(2);
    expect(count).toHaveBeenCalledWith("ArchiveRecords", "Count", 2);
    expect(count).toHaveBeenCalledWith("ArchiveRecordsFailed", "Count", 1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatchObject({
      recordId: "broken",
      reason: expect.stringContaining("kinesisRecordMetadata"),
    });
  });

  it("fails an invocation that is no Firehose event, so Firehose retries it and files it under errors/", async () => {
    const observability = createObservability({ serviceName: "test", namespace: "Test" });
    await expect(module.runWith(observability, { Records: [] })).rejects.toThrow(FirehoseEventError);
  });
});
