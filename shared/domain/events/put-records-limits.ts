import { RECORD_BYTES_MAX } from "./limits.js";

/** Kinesis PutRecords takes at most 500 records per call. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
/** Kinesis PutRecords takes at most 5 MiB per call, data and partition keys counted. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** A Kinesis record, data and partition key, is at most 1 MiB. */
export const PUT_RECORD_MAX_BYTES = RECORD_BYTES_MAX;

const encoder = new TextEncoder();

/** Bytes a record counts against its call's and its own limit: its data and its partition key. */
export function putRecordBytes(data: Uint8Array, partitionKey: string): number {
  return data.byteLength + encoder.encode(partitionKey).byteLength;
}
