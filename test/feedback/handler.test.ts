import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sesEventDetailSchema } from "#shared/domain/email-feedback/ses-event-schema.js";
import { createObservability } from "#shared/lambda/middleware.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "#shared/ports.js";
import { RecordingAcceptances } from "./recording-acceptances.js";
import * as ses from "./ses-fixtures.js";

class RecordingWriter implements EventWriter {
  readonly records: EventRecord[] = [];
  constructor(readonly refuse = false) {}
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    if (this.refuse) return { accepted: 0, rejected: records.map((_, i) => i) };
    this.records.push(...records);
    return { accepted: records.length, rejected: [] };
  }
}

/** A fixture typed as EventBridge hands it to the function. */
const asEvent = (fixture: ReturnType<typeof ses.envelope>) => ({
  ...fixture,
  detail: sesEventDetailSchema.parse(fixture.detail),
});

type HandlerModule = typeof import("#functions/ses-feedback/handler.js");
let module: HandlerModule;

beforeAll(async () => {
  vi.stubEnv("EVENTS_STREAM", "tailor-events");
  vi.stubEnv("LEDGER_TABLE", "tailor-ledger");
  vi.stubEnv("POWERTOOLS_SERVICE_NAME", "tailor-ses-feedback");
  vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "Tailor");
  vi.stubEnv("AWS_REGION", "us-east-1");
  module = await import("#functions/ses-feedback/handler.js");
});
afterAll(() => vi.unstubAllEnvs());

function observed() {
  const observability = createObservability({ serviceName: "test", namespace: "Test" });
  const warn = vi.spyOn(observability.logger, "warn").mockImplementation(() => {});
  const debug = vi.spyOn(observability.logger, "debug").mockImplementation(() => {});
  return { observability, warn, debug };
}

describe("ses-feedback handler", () => {
  it("puts one Tailor event per tracked SES event", async () => {
    const writer = new RecordingWriter();
    const { observability } = observed();
    await module.runWith(
      { events: writer, acceptances: new RecordingAcceptances() },
      observability,
      asEvent(ses.open()),
    );
    expect(writer.records.map((r) => r.customerId)).toEqual(["c.42@shop"]);
    const event: unknown = JSON.parse(new TextDecoder().decode(writer.records[0]?.data));
    expect(event).toMatchObject({ type: "track", event: "Email Opened", userId: "c.42@shop" });
  });

  it("throws when the stream refuses, so EventBridge retries", async () => {
    const { observability } = observed();
    await expect(
      module.runWith(
        { events: new RecordingWriter(true), acceptances: new RecordingAcceptances() },
        observability,
        asEvent(ses.bounce()),
      ),
    ).rejects.toMatchObject({
      retryable: true,
    });
  });

  it("logs and drops an email without a customer tag, without throwing", async () => {
    const writer = new RecordingWriter();
    const { observability, warn } = observed();
    await module.runWith(
      { events: writer, acceptances: new RecordingAcceptances() },
      observability,
      asEvent(ses.delivery({ campaign: ["x"] })),
    );
    expect(writer.records).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      "SES event dropped",
      expect.objectContaining({ reason: "unattributed", explanation: expect.stringContaining("customer") }),
    );
  });

  it("ignores untracked types quietly", async () => {
    const writer = new RecordingWriter();
    const { observability, warn, debug } = observed();
    await module.runWith(
      { events: writer, acceptances: new RecordingAcceptances() },
      observability,
      asEvent(ses.deliveryDelay()),
    );
    expect(writer.records).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledWith("SES event ignored", expect.objectContaining({ reason: "ignored" }));
  });

  it("records a Send event's acceptance in the ledger, puts nothing on the stream, and counts it", async () => {
    // Prepare
    const writer = new RecordingWriter();
    const acceptances = new RecordingAcceptances();
    const { observability } = observed();

    // Act
    await module.runWith({ events: writer, acceptances }, observability, asEvent(ses.sendTagged("k_23c")));

    // Assess
    expect([...acceptances.byRef.keys()]).toEqual(["k_23c"]);
    expect(writer.records).toEqual([]);
    expect(JSON.stringify(observability.metrics.serializeMetrics())).toContain("SendsAcceptedBySes");
  });

  it("the logged line of a dropped event keeps its explanation (Powertools drops a key named `message`)", async () => {
    // Prepare: the real logger, its output captured (it binds the streams when created).
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, "write").mockImplementation(capture);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(capture);
    try {
      const observability = createObservability({ serviceName: "test", namespace: "Test" });

      // Act
      await module.runWith(
        { events: new RecordingWriter(), acceptances: new RecordingAcceptances() },
        observability,
        asEvent(ses.delivery({ campaign: ["x"] })),
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    // Assess
    const dropped = lines
      .flatMap((line) => line.split("\n"))
      .filter((line) => line.includes("SES event dropped"))
      .map((line): unknown => JSON.parse(line));
    expect(dropped).toEqual([
      expect.objectContaining({
        message: "SES event dropped",
        reason: "unattributed",
        explanation: expect.stringContaining('no "customer" tag'),
      }),
    ]);
    expect(lines.join("")).not.toContain("reserved key");
  });

  it("exports a middy handler", () => {
    expect(typeof module.handler).toBe("function");
  });
});
