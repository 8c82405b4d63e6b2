import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { recomputeRfm } from "#shared/app/segments-batch.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { type Clock, systemClock, type TransitionPublisher } from "#shared/ports.js";
import { nothingFound } from "./cli-errors.js";
import { stringFlag } from "./cli-options.js";
import { count } from "./format.js";
import { loadMapping } from "./import-mapping.js";
import { progressText, reportLines, writeRefusals } from "./import-report.js";
import { type ImportReport, type ImportSink, runImport } from "./import-run.js";
import { apiSink, ingestSink } from "./import-sinks.js";
import { importFormat } from "./import-source.js";
import { ProgressLine } from "./progress-line.js";
import { batchDeps, openTransitions, readLibrary } from "./segments-command.js";
import { explainMissing, openDynamo } from "./stack-access.js";

const USAGE =
  "usage: tailor import <file> [--format csv|jsonl] [--mapping mapping.json] [--report refused.csv] [--no-rfm]\n" +
  "       [--data-dir D] [--segments-dir S]   (local stack), or [--api <url> --write-key <key>] (a deployed stack)";

/** Transitions published by the RFM pass that follows an import: part of the import, so marked historical. */
export function historicalPublisher(inner: TransitionPublisher): TransitionPublisher {
  return { publish: (transitions) => inner.publish(transitions.map((t) => ({ ...t, historical: true }))) };
}

/**
 * The in-process ingest of the local stack's tables: the same use case and adapters as the ingest function, with
 * segments, tombstones and the audit log. Without campaigns: history starts no journey, and send intents a live
 * write left in an outbox stay there for the stream's ingest, which has the sends queue.
 */
export function localIngestSink(
  client: DynamoDBClient,
  library: SegmentLibrary,
  transitions: TransitionPublisher,
  clock: Clock = systemClock,
): ImportSink {
  const profiles = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
  return ingestSink({
    profiles,
    clock,
    segments: batchDeps(client, library, transitions).segments,
    // Erased customers' history is dropped, not folded into a new profile.
    tombstones: profiles,
    // Imported history with both ids merges as live events do.
    identities: profiles,
    audit: new DynamoAuditLog({ client, tableName: LOCAL_NAMES.auditTable }),
    writeConcurrency: 32,
  });
}

/**
 * `tailor import <file>`: loads historical customers and orders (CSV or JSON lines, see docs/import.md) into the
 * local stack's profiles in-process, or posts them to a deployed stack's `/v1/import`; then recomputes the RFM
 * thresholds and scores. Exit 0: every row imported; 2: some rows refused (listed, and all written to the report
 * file); 1: nothing imported.
 */
export async function importCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      format: { type: "string" },
      mapping: { type: "string" },
      report: { type: "string" },
      "no-rfm": { type: "boolean", default: false },
      api: { type: "string" },
      "write-key": { type: "string" },
      "data-dir": { type: "string" },
      "segments-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new LocalStackError(USAGE);
  const api = stringFlag(values.api);
  const writeKey = stringFlag(values["write-key"]);
  if ((api === undefined) !== (writeKey === undefined)) {
    throw new LocalStackError("--api and --write-key go together (a deployed stack's URL and its write key)");
  }
  if (!existsSync(file)) throw new LocalStackError(`no such file: ${file} — check the path`);
  const format = importFormat(file, stringFlag(values.format));
  const mapping = loadMapping(stringFlag(values.mapping));
  const dataDir = stringFlag(values["data-dir"]);
  const progressLine = process.stderr.isTTY ? new ProgressLine() : undefined;
  const run = (sink: ImportSink) =>
    runImport({
      file,
      format,
      mapping,
      sink,
      now: Date.now(),
      onProgress: (progress) => progressLine?.update(progressText(progress, Date.now())),
    }).finally(() => progressLine?.done());

  let report: ImportReport;
  const after: string[] = [];
  if (api !== undefined && writeKey !== undefined) {
    report = await run(apiSink({ url: api, writeKey }));
    after.push(
      "  the deployed stack folds them from its stream; run its nightly rescoring (or wait for it) for RFM",
    );
  } else {
    const library = readLibrary(stringFlag(values["segments-dir"]));
    const dynamo = await openDynamo(dataDir);
    try {
      const queue = await openTransitions(dataDir);
      try {
        report = await run(localIngestSink(dynamo.client, library, queue.publisher)).catch((error: unknown) =>
          explainMissing(error, "tables", dataDir),
        );
        if (report.events > 0 && !values["no-rfm"]) {
          after.push(...(await rfmLines(dynamo.client, library, queue.publisher)));
        }
      } finally {
        await queue.close();
      }
    } finally {
      await dynamo.close();
    }
  }
  const refusedFile =
    report.refused.length > 0 ? (stringFlag(values.report) ?? `${file}.refused.csv`) : undefined;
  if (refusedFile !== undefined) writeRefusals(refusedFile, report.refused);
  if (report.rowsImported === 0) {
    process.stdout.write(`${reportLines(file, report, refusedFile).join("\n")}\n`);
    return nothingFound(
      "import",
      `nothing imported from ${file}`,
      "see the refused rows above and docs/import.md",
    );
  }
  process.stdout.write(`${[...reportLines(file, report, refusedFile), ...after].join("\n")}\n`);
  return report.refused.length > 0 ? 2 : 0;
}

/** RFM thresholds and scores recomputed over everyone, as `tailor segments rfm` does; its transitions historical. */
async function rfmLines(
  client: DynamoDBClient,
  library: SegmentLibrary,
  transitions: TransitionPublisher,
): Promise<string[]> {
  try {
    const { thresholds, summary } = await recomputeRfm(
      batchDeps(client, library, historicalPublisher(transitions)),
      {
        totalSegments: 4,
      },
    );
    return [
      `  RFM recomputed over ${count(thresholds.population)} buyers: ${count(summary.profilesWritten)} of ` +
        `${count(summary.profiles)} profiles rescored (their segment changes start no campaign)`,
      "  next: npx tailor rescore — clusters and model tiers (the nightly run does it too)",
    ];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return [`  RFM not recomputed (${reason}): run npx tailor segments rfm`];
  }
}
