import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { importStaticSegment } from "#shared/app/import-static-segment.js";
import { cachedEvaluationContext } from "#shared/app/segment-deps.js";
import type { SegmentsBatchDeps } from "#shared/app/segments-batch.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentMembers } from "#shared/aws/dynamo-segment-members.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import { SqsTransitionPublisher } from "#shared/aws/sqs-transition-publisher.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { systemClock, type TransitionPublisher } from "#shared/ports.js";
import { intFlag, stackOptions, stringFlag } from "./cli-options.js";
import { customerIdsFromCsv } from "./customer-id-csv.js";
import { count } from "./format.js";
import { openLocalQueue } from "./local-queue.js";
import { runSegmentJobCommand } from "./segment-jobs-command.js";
import { missingTables, readLibrary } from "./segment-library.js";
import { openDynamo } from "./stack-access.js";

// Kept here too for the commands that import them from this module.
export { defaultSegmentsDir, missingTables, readLibrary } from "./segment-library.js";

const USAGE = `usage: tailor segments [--json]                       every segment with its size
       tailor segments recount [--slices 8]             count members exactly, write exact sizes
       tailor segments rfm [--slices 8]                 RFM thresholds, then every profile's scores
       tailor segments reevaluate [--slices 8]          re-evaluate every profile (after a definition changed)
       tailor segments reindex [--slices 8]             rebuild the segment membership index from the profiles
       tailor segments import <segmentId> <file.csv>    add customers (column customerId) to a static segment
  each takes --data-dir D and --segments-dir S (default: the repository's templates/segments); the four jobs
  run the segment jobs state machine on the local stack ([--page-size N] [--fresh] [--verbose]), or start it
  on the deployed stack with --outputs cdk-outputs.json [--stack-name Tailor]`;

const options = {
  ...stackOptions,
  json: { type: "boolean", default: false },
  slices: { type: "string" },
  "page-size": { type: "string" },
  outputs: { type: "string" },
  "stack-name": { type: "string", default: "Tailor" },
  "segments-dir": { type: "string" },
} as const;

/** The actions that run as the segment jobs' state machine. */
const JOBS = ["recount", "rfm", "reevaluate", "reindex"] as const;
const isJob = (action: string): action is (typeof JOBS)[number] => JOBS.some((job) => job === action);

/** The transitions queue of the data dir's stack (running, or its persisted queues opened directly). */
export async function openTransitions(
  dataDirOption: string | undefined,
): Promise<{ publisher: TransitionPublisher; close(): Promise<void> }> {
  const queue = await openLocalQueue(dataDirOption, LOCAL_NAMES.transitionsQueue, "transitions queue");
  return {
    publisher: new SqsTransitionPublisher({ client: queue.client, queueUrl: queue.queueUrl }),
    close: () => queue.close(),
  };
}

/** A publisher for commands that never emit transitions: using it is a bug. */
const noQueue: TransitionPublisher = {
  publish: async () => {
    throw new LocalStackError("this command does not publish transitions");
  },
};

/** The batch jobs' dependencies on the local tables (and queue), for one command. */
export function batchDeps(
  client: DynamoDBClient,
  library: SegmentLibrary,
  transitions: TransitionPublisher,
): SegmentsBatchDeps {
  const profiles = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
  const store = new DynamoSegmentStore({ client, tableName: LOCAL_NAMES.segmentsTable });
  return {
    profiles,
    scan: profiles,
    clock: systemClock,
    segments: {
      library,
      outbox: profiles,
      store,
      timers: new DynamoTimers({ client, tableName: LOCAL_NAMES.timersTable }),
      transitions,
      members: new DynamoSegmentMembers({
        client,
        tableName: LOCAL_NAMES.segmentsTable,
        segmentIds: () => library.definitions.map((d) => d.id),
      }),
      context: cachedEvaluationContext(store, systemClock),
    },
  };
}

/** `tailor segments …`: list, recount, rfm, reevaluate, import. */
export async function segmentsCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options,
    allowPositionals: true,
    strict: true,
  });
  const [action = "list", ...rest] = positionals;
  const dataDir = stringFlag(values["data-dir"]);
  const slices = intFlag(values.slices, "slices", 8, 1);
  const library = readLibrary(stringFlag(values["segments-dir"]));
  const emits = action === "import";
  if (!["list", "import", ...JOBS].includes(action)) {
    throw new LocalStackError(
      `unknown segments action "${action}" — actions: list, ${JOBS.join(", ")}, import (see npx tailor --help)`,
    );
  }
  if ((action === "import" && rest.length !== 2) || (action !== "import" && rest.length > 0)) {
    throw new LocalStackError(USAGE);
  }
  if (isJob(action)) {
    if (rest.length > 0) throw new LocalStackError(USAGE);
    const pageSize =
      values["page-size"] === undefined ? undefined : intFlag(values["page-size"], "page-size", 500, 1);
    return runSegmentJobCommand(
      action,
      {
        "data-dir": dataDir,
        fresh: values.fresh,
        verbose: values.verbose,
        parts: slices,
        pageSize,
        outputs: stringFlag(values.outputs),
        stackName: values["stack-name"],
      },
      values,
    );
  }
  // Read first: a missing CSV file is said before any stack is opened.
  const csv = action === "import" ? readFileSync(rest[1] ?? "", "utf8") : "";

  const dynamo = await openDynamo(dataDir);
  const queue = emits
    ? await openTransitions(dataDir).catch(async (error: unknown) => {
        await dynamo.close();
        throw error;
      })
    : undefined;
  try {
    const deps = batchDeps(dynamo.client, library, queue?.publisher ?? noQueue);
    const missing = missingTables("segment tables", dataDir);
    const out = (lines: readonly string[]) => process.stdout.write(`${lines.join("\n")}\n`);
    switch (action) {
      case "list": {
        const sizes = await deps.segments.store.sizes(library.definitions.map((d) => d.id)).catch(missing);
        const rows = library.definitions.map((definition, i) => ({
          id: definition.id,
          name: definition.name,
          version: definition.version,
          static: definition.static,
          size: sizes[i]?.size ?? 0,
          countedAt:
            sizes[i]?.countedAt === undefined ? null : new Date(sizes[i]?.countedAt ?? 0).toISOString(),
        }));
        if (values.json) out([JSON.stringify(rows, null, 2)]);
        else out(segmentTable(rows));
        return 0;
      }
      case "import": {
        const [segmentId = "", file = ""] = rest;
        const { ids, problems } = customerIdsFromCsv(csv);
        for (const problem of problems) process.stderr.write(`${file}: ${problem}\n`);
        const summary = await importStaticSegment(deps, segmentId, ids).catch(missing);
        out([
          `${segmentId}: ${count(summary.added)} added, ${count(summary.alreadyListed)} already listed, ` +
            `${count(summary.unknown.length)} unknown, ${count(summary.transitions)} transitions`,
          ...summary.unknown.map((id) => `  unknown customer: ${id}`),
        ]);
        return summary.unknown.length > 0 || problems.length > 0 ? 2 : 0;
      }
      default:
        throw new LocalStackError(USAGE);
    }
  } finally {
    await queue?.close();
    await dynamo.close();
  }
}

interface SegmentRow {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly static: boolean;
  readonly size: number;
  readonly countedAt: string | null;
}

/** The segments as an aligned text table. */
export function segmentTable(rows: readonly SegmentRow[]): string[] {
  const cells = rows.map((r) => [
    r.id,
    r.static ? `${r.name} (static)` : r.name,
    `v${r.version}`,
    count(r.size),
    r.countedAt ?? "never recounted",
  ]);
  const header = ["segment", "name", "version", "size", "counted at"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) =>
    c
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(header), ...cells.map(line), `${rows.length} segments`];
}
