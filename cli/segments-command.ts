import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LocalStackError } from "#infra/local/local-errors.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { importStaticSegment } from "#shared/app/import-static-segment.js";
import { cachedEvaluationContext } from "#shared/app/segment-deps.js";
import {
  allSlices,
  recomputeRfm,
  recountSegments,
  reevaluateStale,
  type SegmentsBatchDeps,
  sumSummaries,
} from "#shared/app/segments-batch.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import { SqsTransitionPublisher } from "#shared/aws/sqs-transition-publisher.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { systemClock, type TransitionPublisher } from "#shared/ports.js";
import { intFlag, stringFlag } from "./cli-options.js";
import { customerIdsFromCsv } from "./customer-id-csv.js";
import { count } from "./format.js";
import { openLocalQueue } from "./local-queue.js";
import { missingTables, readLibrary } from "./segment-library.js";
import { openDynamo } from "./stack-access.js";

// Kept here too for the commands that import them from this module.
export { defaultSegmentsDir, missingTables, readLibrary } from "./segment-library.js";

const USAGE = `usage: tailor segments [--json]                       every segment with its size
       tailor segments recount [--slices 4]             count members exactly, write exact sizes
       tailor segments rfm [--slices 4]                 RFM thresholds, then every profile's scores
       tailor segments reevaluate [--slices 4]          re-evaluate every profile (after a definition changed)
       tailor segments import <segmentId> <file.csv>    add customers (column customerId) to a static segment
  each takes --data-dir D and --segments-dir S (default: the repository's templates/segments)`;

const options = {
  json: { type: "boolean", default: false },
  slices: { type: "string" },
  "data-dir": { type: "string" },
  "segments-dir": { type: "string" },
} as const;

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
  const slices = intFlag(values.slices, "slices", 4, 1);
  const library = readLibrary(stringFlag(values["segments-dir"]));
  const emits = action === "rfm" || action === "reevaluate" || action === "import";
  if (!["list", "recount", "rfm", "reevaluate", "import"].includes(action)) {
    throw new LocalStackError(
      `unknown segments action "${action}" — actions: list, recount, rfm, reevaluate, import (see npx tailor --help)`,
    );
  }
  if ((action === "import" && rest.length !== 2) || (action !== "import" && rest.length > 0)) {
    throw new LocalStackError(USAGE);
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
      case "recount": {
        const sizes = await recountSegments(deps, { totalSegments: slices }).catch(missing);
        const total = [...sizes.values()].reduce((a, b) => a + b, 0);
        out([`recounted ${sizes.size} segments (${count(total)} memberships) over ${slices} slices`]);
        return 0;
      }
      case "rfm": {
        const { thresholds, summary } = await recomputeRfm(deps, { totalSegments: slices }).catch(missing);
        out([
          `RFM thresholds over ${count(thresholds.population)} buyers: recency days ${thresholds.recencyDays.join(" / ")}, ` +
            `orders ${thresholds.frequency.join(" / ")}, revenue ${thresholds.monetary.join(" / ")}`,
          `${count(summary.profilesWritten)} of ${count(summary.profiles)} profiles rescored, ` +
            `${count(summary.transitions)} transitions`,
        ]);
        return 0;
      }
      case "reevaluate": {
        const parts = await Promise.all(allSlices(slices).map((slice) => reevaluateStale(deps, slice))).catch(
          missing,
        );
        const summary = sumSummaries(parts);
        out([
          `${count(summary.profilesWritten)} of ${count(summary.profiles)} profiles changed, ` +
            `${count(summary.transitions)} transitions`,
        ]);
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
