import { type KinesisClient, PutRecordsCommand, type PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";
import { DependencyUnavailableError, TailorError } from "../errors.js";
import type { RecordStream, StreamEntry, StreamPutResult } from "../ports.js";

/** The stream refused a whole PutRecords call for a reason that will not pass by itself (no such stream, no permission). */
export class StreamRefusedError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** Errors of a whole call that waiting can cure: throttling, limits, the service's own failures. */
const PASSING =
  /Throttl|ProvisionedThroughputExceeded|LimitExceeded|KMSThrottling|InternalFailure|ServiceUnavailable/;

function passes(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return true;
  const name = "name" in error ? String(error.name) : "";
  const status =
    "$metadata" in error &&
    typeof error.$metadata === "object" &&
    error.$metadata !== null &&
    "httpStatusCode" in error.$metadata
      ? Number(error.$metadata.httpStatusCode)
      : undefined;
  // No status at all: the request never got an answer (a reset, a timeout), which a retry can cure.
  return PASSING.test(name) || status === undefined || status >= 500;
}

/**
 * The events stream as a {@link RecordStream}: one PutRecords call per `putRecords`, each entry's bytes and
 * partition key as given. The result's entries correspond to the request's by position; an entry without a
 * sequence number is refused.
 */
export class KinesisRecordStream implements RecordStream {
  readonly #client: KinesisClient;
  readonly #streamName: string;

  constructor(options: { readonly client: KinesisClient; readonly streamName: string }) {
    this.#client = options.client;
    this.#streamName = options.streamName;
  }

  async putRecords(entries: readonly StreamEntry[]): Promise<StreamPutResult> {
    let out: PutRecordsCommandOutput;
    try {
      out = await this.#client.send(
        new PutRecordsCommand({
          StreamName: this.#streamName,
          Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
        }),
      );
    } catch (error) {
      const message = `PutRecords to ${this.#streamName} failed`;
      throw passes(error)
        ? new DependencyUnavailableError(message, error)
        : new StreamRefusedError(message, error);
    }
    const results = out.Records ?? [];
    const refused: { index: number; code: string }[] = [];
    entries.forEach((_, index) => {
      const result = results[index];
      if (result === undefined || result.ErrorCode !== undefined || result.SequenceNumber === undefined) {
        refused.push({ index, code: result?.ErrorCode ?? "NoResult" });
      }
    });
    return { refused };
  }
}
