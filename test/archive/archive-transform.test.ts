import { describe, expect, it } from "vitest";
import {
  archiveFirehoseRecords,
  FirehoseEventError,
  parseFirehoseTransformationEvent,
} from "#shared/app/archive-transform.js";
import { parseArchiveText } from "#shared/domain/events/archived-record.js";
import { AWS_FIREHOSE_KINESIS_EVENT } from "./firehose-kinesis-event.js";

const decode = (base64: string | undefined) => Buffer.from(base64 ?? "", "base64").toString("utf8");

/** An event of the given records (the envelope of AWS's example). */
const eventOf = (records: readonly Record<string, unknown>[]) =>
  parseFirehoseTransformationEvent({ ...AWS_FIREHOSE_KINESIS_EVENT, records });

const kplRecord = {
  recordId: "r-kpl",
  approximateArrivalTimestamp: 1_765_000_000_000,
  data: Buffer.from([0x1f, 0x8b, 0x00, 0xff]).toString("base64"),
  kinesisRecordMetadata: {
    shardId: "shardId-000000000003",
    partitionKey: "customer-7",
    approximateArrivalTimestamp: 1_765_043_200_123,
    sequenceNumber: "49660000000000000000000000000000000000000000000000000001",
    subsequenceNumber: 4,
  },
};

describe("archiveFirehoseRecords", () => {
  it("wraps each record of AWS's published example as one archive line, its bytes untouched", () => {
    // Prepare
    const event = parseFirehoseTransformationEvent(AWS_FIREHOSE_KINESIS_EVENT);

    // Act
    const { response, archived, failures } = archiveFirehoseRecords(event);

    // Assess
    expect(failures).toEqual([]);
    expect(archived).toBe(2);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ["record1", "Ok"],
      ["record2", "Ok"],
    ]);
    const text = response.records.map((r) => decode(r.data)).join("");
    const { records, errors } = parseArchiveText(text);
    expect(errors).toEqual([]);
    expect(records).toEqual([
      {
        v: 1,
        shardId: "shardId-000000000000",
        partitionKey: "4d1ad2b9-24f8-4b9d-a088-76e9947c317a",
        sequenceNumber: "49546986683135544286507457936321625675700192471156785154",
        arrivedAt: "2012-04-23T18:25:43.511Z",
        data: "SGVsbG8gV29ybGQ=",
      },
      {
        v: 1,
        shardId: "shardId-000000000001",
        partitionKey: "4d1ad2b9-24f8-4b9d-a088-76e9947c318a",
        sequenceNumber: "49546986683135544286507457936321625675700192471156785155",
        arrivedAt: "2012-04-23T19:25:43.511Z",
        data: "SGVsbG8gV29ybGQ=",
      },
    ]);
    expect(Buffer.from(records[0]?.data ?? "", "base64").toString("utf8")).toBe("Hello World");
  });

  it("keeps a de-aggregated record's subsequence number and its arrival in milliseconds", () => {
    // Act
    const { response } = archiveFirehoseRecords(eventOf([kplRecord]));

    // Assess
    const [line] = parseArchiveText(decode(response.records[0]?.data)).records;
    expect(line?.subsequenceNumber).toBe(4);
    expect(line?.arrivedAt).toBe(new Date(1_765_043_200_123).toISOString());
    expect(line?.data).toBe(kplRecord.data);
    expect(decode(response.records[0]?.data).endsWith("}\n")).toBe(true);
  });

  it("fails a record it cannot wrap alone, returning its own data, and archives the others", () => {
    // Prepare
    const noMetadata = { recordId: "r-plain", approximateArrivalTimestamp: 1, data: "AAEC" };
    const badSequence = {
      ...kplRecord,
      recordId: "r-seq",
      kinesisRecordMetadata: { ...kplRecord.kinesisRecordMetadata, sequenceNumber: "not-digits" },
    };
    const notBase64 = { ...kplRecord, recordId: "r-b64", data: "%%%" };

    // Act
    const { response, archived, failures } = archiveFirehoseRecords(
      eventOf([noMetadata, kplRecord, badSequence, notBase64]),
    );

    // Assess
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ["r-plain", "ProcessingFailed"],
      ["r-kpl", "Ok"],
      ["r-seq", "ProcessingFailed"],
      ["r-b64", "ProcessingFailed"],
    ]);
    expect(response.records[0]?.data).toBe("AAEC");
    expect(response.records[3]?.data).toBe("%%%");
    expect(archived).toBe(1);
    expect(failures.map((f) => f.recordId)).toEqual(["r-plain", "r-seq", "r-b64"]);
    expect(failures[0]?.reason).toContain("kinesisRecordMetadata");
    expect(failures[1]?.reason).toContain("sequenceNumber");
    expect(failures[2]?.reason).toContain("data");
  });

  it("refuses an event without records, naming the field", () => {
    expect(() => parseFirehoseTransformationEvent({ invocationId: "x" })).toThrow(FirehoseEventError);
    expect(() => parseFirehoseTransformationEvent({ ...AWS_FIREHOSE_KINESIS_EVENT, records: [{}] })).toThrow(
      /records\.0\.recordId/,
    );
  });
});
