import { FileTrainingObjects } from "#infra/local/file-training-objects.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { localRegistry } from "#infra/local/model-server-runner.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { readArchiveHistory } from "#shared/app/training/archive-history.js";
import { runTrainingWorkflow, type TrainingRunReport } from "#shared/app/training/run-training-workflow.js";
import type { EventArchive } from "#shared/ports.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Where `tailor train --from-stack` reads and writes. */
export interface FromStackOptions {
  readonly archive: EventArchive;
  /** Archive object keys (`events/year=…/hour=…/…`), to find the range of arrival. */
  readonly archiveKeys: readonly string[];
  readonly modelsDir: string;
  /** Where the feature tables go (`.tailor/training`). */
  readonly trainingDir: string;
  /** Features of the training rows as of this time; @default a third into the events' span */
  readonly cutoff?: number;
  /** @default two thirds into the events' span */
  readonly holdoutCutoff?: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** The hour a key's `year=/month=/day=/hour=` folders name (epoch ms), if they do. */
function hourOfKey(key: string): number | undefined {
  const match = /year=(\d{4})\/month=(\d{2})\/day=(\d{2})\/hour=(\d{2})\//.exec(key);
  if (match === null) return undefined;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), Number(match[4]));
}

/**
 * Trains on the local stack's own archive: the range of arrival from the archive's hour folders, the events' own
 * span read once to place the cutoffs (a third and two thirds in, unless given), then the training workflow.
 */
export async function trainFromStack(options: FromStackOptions): Promise<TrainingRunReport> {
  const hours = options.archiveKeys.map(hourOfKey).filter((hour) => hour !== undefined);
  if (hours.length === 0)
    throw new LocalStackError(
      `the stack's event archive (bucket ${LOCAL_NAMES.archiveBucket}) is empty: put events first (npx tailor start)`,
    );
  const from = Math.min(...hours) - HOUR_MS;
  const to = Math.max(...hours) + 2 * HOUR_MS;
  const history = await readArchiveHistory(options.archive, { fromMs: from, toMs: to });
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const record of history.history) {
    if (!("decoded" in record)) continue;
    first = Math.min(first, record.decoded.timestamp);
    last = Math.max(last, record.decoded.timestamp);
  }
  if (!(last - first >= DAY_MS))
    throw new LocalStackError(
      `the archive holds ${history.events} events over less than a day: too short to cut into training, hold-out and labels`,
    );
  const span = last - first;
  const cutoff = options.cutoff ?? first + span / 3;
  const holdoutCutoff = options.holdoutCutoff ?? cutoff + (last - cutoff) / 2;
  options.log(
    `training from the stack's archive: ${history.events} events of ${history.customers} customers, ` +
      `${new Date(first).toISOString()} to ${new Date(last).toISOString()}; features as of ` +
      `${new Date(cutoff).toISOString()}, hold-out as of ${new Date(holdoutCutoff).toISOString()}`,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  return runTrainingWorkflow(
    {
      archive: options.archive,
      objects: new FileTrainingObjects(options.trainingDir, "training/"),
      registry: localRegistry(options.modelsDir),
      clock: { now: options.now },
      source: "stack",
    },
    {
      from: iso(from),
      to: iso(to),
      cutoff: iso(cutoff),
      holdoutCutoff: iso(holdoutCutoff),
      end: iso(last + 1),
    },
  );
}
