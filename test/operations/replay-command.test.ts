import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reportError } from "#cli/cli-errors.js";
import { replayCommand } from "#cli/replay-command.js";
import { parseReplayTime, replayRange } from "#cli/replay-range.js";
import { formatReplaySummary } from "#cli/replay-report.js";
import type { ReplaySummary } from "#shared/app/replay-archive.js";

const now = Date.parse("2026-12-06T20:00:00Z");

describe("tailor replay: the range", () => {
  it("reads ISO 8601 times with a zone, and dates as midnight UTC", () => {
    expect(parseReplayTime("from", "2026-12-06T18:00:00Z")).toBe(Date.parse("2026-12-06T18:00:00Z"));
    expect(parseReplayTime("from", "2026-12-06T19:00:00.500+01:00")).toBe(
      Date.parse("2026-12-06T18:00:00.500Z"),
    );
    expect(parseReplayTime("to", "2026-12-06")).toBe(Date.parse("2026-12-06T00:00:00Z"));
  });

  it("refuses a missing, malformed or zoneless time, naming the flag", () => {
    expect(() => parseReplayTime("from", undefined)).toThrow(/^--from is required/);
    expect(() => parseReplayTime("to", "yesterday")).toThrow(
      /^--to: expected an ISO 8601 time .* got "yesterday"$/,
    );
    expect(() => parseReplayTime("from", "2026-12-06T18:00:00")).toThrow(/add Z or an offset/);
    expect(() => parseReplayTime("from", "2026-13-06T18:00:00Z")).toThrow(/^--from: expected/);
  });

  it("refuses a reversed range and one over 31 days without --force", () => {
    expect(() => replayRange("2026-12-06T19:00:00Z", "2026-12-06T18:00:00Z", { force: false, now })).toThrow(
      "--from (2026-12-06T19:00:00.000Z) is after --to (2026-12-06T18:00:00.000Z): swap them",
    );
    expect(() => replayRange("2026-10-01", "2026-12-06", { force: false, now })).toThrow(
      /66\.0 days; more than 31 needs --force/,
    );
    const forced = replayRange("2026-10-01", "2026-12-06", { force: true, now });
    expect(forced.toMs - forced.fromMs).toBe(66 * 86_400_000);
  });

  it("takes both ends inclusive, and warns when the range starts before ingest's 24 h dedup memory", () => {
    const recent = replayRange("2026-12-06T18:00:00Z", "2026-12-06T18:00:00Z", { force: false, now });
    expect(recent).toEqual({
      fromMs: Date.parse("2026-12-06T18:00:00Z"),
      toMs: Date.parse("2026-12-06T18:00:00Z"),
      warnings: [],
    });
    const old = replayRange("2026-12-05T18:00:00Z", "2026-12-06T18:00:00Z", { force: false, now });
    expect(old.warnings).toEqual([expect.stringMatching(/more than 24 h ago.*count again/)]);
  });
});

describe("tailor replay: usage", () => {
  const run = (...argv: string[]) =>
    replayCommand(argv).then(
      () => "ran",
      (error: unknown) => reportError("replay", error),
    );

  it("says what is wrong with the flags before reading anything", async () => {
    const times = ["--from", "2026-12-06T18:00:00Z", "--to", "2026-12-06T19:00:00Z"];
    expect(await run(...times, "--bucket", "b")).toMatchObject({
      line: expect.stringMatching(/^tailor replay: --bucket and --stream go together/),
      unexpected: false,
    });
    expect(await run(...times, "--outputs", "o.json", "--stream", "s")).toMatchObject({
      line: expect.stringMatching(/--outputs names the bucket and the stream/),
    });
    expect(await run("--to", "2026-12-06T19:00:00Z")).toMatchObject({
      line: expect.stringMatching(/--from is required/),
    });
    expect(await run(...times, "extra")).toMatchObject({
      line: expect.stringMatching(/usage: tailor replay/),
    });
  });

  it("refuses to put without a running local stack, and reads the outputs file's names", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "tailor-replay-cli-"));
    try {
      const times = ["--from", "2026-12-06T18:00:00Z", "--to", "2026-12-06T19:00:00Z"];
      expect(await run(...times, "--data-dir", dir)).toMatchObject({
        line: expect.stringMatching(
          /no local stack runs on .* start it first .* or count only with --dry-run/,
        ),
      });
      const outputs = path.join(dir, "cdk-outputs.json");
      writeFileSync(outputs, JSON.stringify({ Tailor: { EventStreamName: "events" } }));
      expect(await run(...times, "--outputs", outputs)).toMatchObject({
        line: expect.stringMatching(
          /lacks the outputs replay reads: ArchiveBucketName .* or pass --bucket and --stream/,
        ),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tailor replay: the report", () => {
  const summary: ReplaySummary = {
    dryRun: false,
    objects: 3,
    unreadableObjects: [{ object: "events/x.gz", reason: "corrupt gzip: unexpected end of file" }],
    read: 1234,
    put: 1233,
    outsideRange: 7,
    otherShards: 5,
    skipped: 1,
    skippedRecords: [
      {
        object: "events/y.gz",
        shardId: "shardId-1",
        sequenceNumber: "42",
        subsequenceNumber: 3,
        reason: "too big",
      },
    ],
    badLines: 101,
    badLineList: [{ object: "events/y.gz", line: 9, reason: "not JSON" }],
    calls: 4,
    retried: 2,
  };

  it("prints what it read, put, skipped, and names each bad line and object", () => {
    const text = formatReplaySummary(summary, "the local stack");
    expect(text).toContain("records in range   1,234");
    expect(text).toContain("put                1,233 in 4 calls (2 refusals retried)");
    expect(text).toContain("skipped shardId-1 42/3 (events/y.gz): too big");
    expect(text).toContain("other shards       5 (in the range, not of --shard; left alone)");
    expect(text).toContain("bad line events/y.gz:9: not JSON");
    expect(text).toContain("… and 100 more bad lines");
    expect(text).toContain("unreadable events/x.gz: corrupt gzip: unexpected end of file");
    expect(formatReplaySummary({ ...summary, dryRun: true }, "d")).toContain(
      "would put          1,233 (dry run",
    );
  });
});
