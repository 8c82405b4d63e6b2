import { once } from "node:events";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { RawRecord } from "./import-source.js";

/** Bytes of input per partition: a partition is read back whole, so this bounds the memory of the second pass. */
export const PARTITION_BYTES = 32 * 1024 * 1024;

/** FNV-1a of a string: a cheap, stable spread of customer ids over partitions. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const isRawRecord = (value: unknown): value is [number, string, string[] | string] =>
  Array.isArray(value) &&
  value.length === 3 &&
  typeof value[0] === "number" &&
  typeof value[1] === "string" &&
  (typeof value[2] === "string" || (Array.isArray(value[2]) && value[2].every((f) => typeof f === "string")));

/**
 * The records of a file split by customer (a hash of the id), so that the second pass holds one partition in
 * memory and finds every row of a customer in it: each customer is then folded and written once, wherever its
 * rows are in the file. One partition stays in memory; more are spilled to JSON-lines files in a temporary
 * folder, removed by {@link Partitions.close}.
 */
export class Partitions {
  readonly count: number;
  readonly #memory: RawRecord[] = [];
  readonly #folder: string | undefined;
  readonly #streams: WriteStream[] = [];
  readonly #buffers: string[][] = [];

  constructor(count: number) {
    this.count = Math.max(1, count);
    if (this.count === 1) return;
    this.#folder = mkdtempSync(path.join(tmpdir(), "tailor-import-"));
    for (let i = 0; i < this.count; i++) {
      this.#streams.push(createWriteStream(this.#file(i)));
      this.#buffers.push([]);
    }
  }

  /** Adds a record to its customer's partition (waits when a spill file's buffer is full). */
  async add(record: RawRecord): Promise<void> {
    if (this.#folder === undefined) {
      this.#memory.push(record);
      return;
    }
    const index = fnv1a(record.customerId) % this.count;
    const buffer = this.#buffers[index];
    if (buffer === undefined) return;
    buffer.push(JSON.stringify([record.line, record.customerId, record.payload]));
    if (buffer.length >= 1000) await this.#flush(index);
  }

  /** Ends the writing. */
  async finish(): Promise<void> {
    if (this.#folder === undefined) return;
    for (let i = 0; i < this.count; i++) await this.#flush(i);
    await Promise.all(
      this.#streams.map(
        (stream) =>
          new Promise<void>((resolve, reject) =>
            stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
          ),
      ),
    );
  }

  /** The records of partition `index`, in file order. */
  read(index: number): RawRecord[] {
    if (this.#folder === undefined) return index === 0 ? this.#memory : [];
    const records: RawRecord[] = [];
    for (const text of readFileSync(this.#file(index), "utf8").split("\n")) {
      if (text === "") continue;
      const value: unknown = JSON.parse(text);
      if (isRawRecord(value)) records.push({ line: value[0], customerId: value[1], payload: value[2] });
    }
    return records;
  }

  /** Removes the spill files. */
  close(): void {
    for (const stream of this.#streams) stream.destroy();
    if (this.#folder !== undefined) rmSync(this.#folder, { recursive: true, force: true });
  }

  #file(index: number): string {
    return path.join(this.#folder ?? tmpdir(), `part-${index}.jsonl`);
  }

  async #flush(index: number): Promise<void> {
    const buffer = this.#buffers[index];
    const stream = this.#streams[index];
    if (buffer === undefined || stream === undefined || buffer.length === 0) return;
    const text = `${buffer.join("\n")}\n`;
    buffer.length = 0;
    if (!stream.write(text)) await once(stream, "drain");
  }
}
