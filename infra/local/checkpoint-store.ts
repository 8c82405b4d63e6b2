import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const fileSchema = z.record(z.string(), z.string());

/**
 * The last processed sequence number per shard of one event source mapping, kept in a JSON file so a restart
 * resumes AFTER it instead of reprocessing the stream. Written atomically (temp file + rename) on each save.
 */
export class CheckpointStore {
  readonly #file: string;
  readonly #checkpoints: Map<string, string>;

  constructor(file: string) {
    this.#file = file;
    this.#checkpoints = new Map();
    if (existsSync(file)) {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (parsed.success)
        for (const [shard, seq] of Object.entries(parsed.data)) this.#checkpoints.set(shard, seq);
    }
  }

  /** The file for a function reading a stream, under `dir`. */
  static fileFor(dir: string, functionName: string, streamName: string): string {
    return path.join(dir, `${functionName}--${streamName}.json`);
  }

  /** The last processed sequence number of `shardId`, if any. */
  get(shardId: string): string | undefined {
    return this.#checkpoints.get(shardId);
  }

  /** Records `sequenceNumber` as the last processed of `shardId` and persists the file. */
  set(shardId: string, sequenceNumber: string): void {
    this.#checkpoints.set(shardId, sequenceNumber);
    mkdirSync(path.dirname(this.#file), { recursive: true });
    const temp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(Object.fromEntries(this.#checkpoints)));
    renameSync(temp, this.#file);
  }
}
