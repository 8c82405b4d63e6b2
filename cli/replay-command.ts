import { parseArgs } from "node:util";
import type { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { localRegion } from "#infra/local/sdk-env.js";
import { readStackState } from "#infra/local/stack-state.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { ARCHIVE_OUTPUTS, DOCTOR_OUTPUTS } from "#infra/stack-output-names.js";
import { ReplayIncompleteError, type ReplaySummary } from "#shared/app/replay-archive.js";
import type { EventArchive, RecordStream } from "#shared/ports.js";
import { regionOfArn } from "./doctor-targets.js";
import { count } from "./format.js";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, readOutputsFile, stackOutputsOf } from "./outputs-file.js";
import { ProgressLine } from "./progress-line.js";
import { replayRange } from "./replay-range.js";
import { formatReplaySummary } from "./replay-report.js";

const USAGE = `usage: tailor replay --from <ISO time> --to <ISO time> [--shard <shardId>]… [--dry-run] [--force] [--json]
       [--data-dir D]  the local stack running on the data dir (--dry-run also reads a stopped one), or on AWS
       (default credentials): --bucket <archive bucket> --stream <event stream> [--region R]
       | --outputs cdk-outputs.json [--stack-name Tailor] [--region R]`;

/** Where a replay reads and puts, and how to let go of the clients. */
interface ReplayTarget {
  readonly archive: EventArchive;
  readonly stream: RecordStream;
  /** Says where, in the report's first line. */
  readonly where: string;
  close(): Promise<void>;
}

/** No stream: a dry run puts nothing. */
const noStream: RecordStream = {
  putRecords: async () => {
    throw new OperationsError("a dry run puts nothing");
  },
};

async function awsTarget(names: {
  bucket: string;
  stream: string;
  region: string | undefined;
}): Promise<ReplayTarget> {
  const [{ S3Client }, { KinesisClient }, { S3EventArchive }, { KinesisRecordStream }] = await Promise.all([
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-kinesis"),
    import("#shared/aws/s3-event-archive.js"),
    import("#shared/aws/kinesis-record-stream.js"),
  ]);
  const config = names.region === undefined ? {} : { region: names.region };
  const s3 = new S3Client(config);
  const kinesis = new KinesisClient(config);
  return {
    archive: new S3EventArchive({ client: s3, bucketName: names.bucket }),
    stream: new KinesisRecordStream({ client: kinesis, streamName: names.stream }),
    where: `s3://${names.bucket} → stream ${names.stream} in ${names.region ?? "the default region"}`,
    close: async () => {
      s3.destroy();
      kinesis.destroy();
    },
  };
}

const outputsSchema = z.object({
  [ARCHIVE_OUTPUTS.bucket]: z.string().min(1),
  [DOCTOR_OUTPUTS.eventStreamName]: z.string().min(1),
  [DOCTOR_OUTPUTS.alarmTopicArn]: z.string().optional(),
});

/** The archive bucket and the event stream from the outputs of a deployed stack. */
async function outputsTarget(file: string, stackName: string, region: string | undefined) {
  const outputs = stackOutputsOf(file, await readOutputsFile(file), stackName);
  const parsed = outputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => issue.path.join("."));
    throw new OperationsError(
      `${file}: stack ${stackName} lacks the outputs replay reads: ${names.join(", ")} — redeploy this version (${DEPLOY_HINT}), or pass --bucket and --stream`,
    );
  }
  const topic = parsed.data[DOCTOR_OUTPUTS.alarmTopicArn];
  return awsTarget({
    bucket: parsed.data[ARCHIVE_OUTPUTS.bucket],
    stream: parsed.data[DOCTOR_OUTPUTS.eventStreamName],
    region: region ?? (topic === undefined ? undefined : regionOfArn(topic)),
  });
}

/** The local stack of the data dir: running (archive and stream), or stopped (its archive, for a dry run). */
async function localTarget(dataDirOption: string | undefined, dryRun: boolean): Promise<ReplayTarget> {
  const dataDir = resolveDataDir(dataDirOption);
  const running = readStackState(dataDir);
  const [{ S3EventArchive }, { KinesisRecordStream }] = await Promise.all([
    import("#shared/aws/s3-event-archive.js"),
    import("#shared/aws/kinesis-record-stream.js"),
  ]);
  const archiveOf = (client: S3Client) =>
    new S3EventArchive({ client, bucketName: LOCAL_NAMES.archiveBucket });
  if (running === undefined) {
    if (!dryRun) {
      throw new OperationsError(
        `no local stack runs on ${dataDir} — start it first (npx tailor up), so ingest folds what replay puts; ` +
          "or count only with --dry-run",
      );
    }
    const { openS3 } = await import("./stack-access.js");
    const access = await openS3(dataDirOption);
    return {
      archive: archiveOf(access.client),
      stream: noStream,
      where: dataDir,
      close: () => access.close(),
    };
  }
  const [{ S3Client }, { KinesisClient }] = await Promise.all([
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-kinesis"),
  ]);
  const base = { region: localRegion, credentials: { accessKeyId: "local", secretAccessKey: "local" } };
  const s3 = new S3Client({ ...base, endpoint: running.endpoints.s3, forcePathStyle: true });
  const kinesis = new KinesisClient({ ...base, endpoint: running.endpoints.kinesis });
  return {
    archive: archiveOf(s3),
    stream: new KinesisRecordStream({ client: kinesis, streamName: LOCAL_NAMES.eventStream }),
    where: `the local stack on ${dataDir}`,
    close: async () => {
      s3.destroy();
      kinesis.destroy();
    },
  };
}

function openTarget(values: {
  readonly bucket?: string | undefined;
  readonly stream?: string | undefined;
  readonly outputs?: string | undefined;
  readonly "stack-name": string;
  readonly region?: string | undefined;
  readonly "data-dir"?: string | undefined;
  readonly "dry-run": boolean;
}): Promise<ReplayTarget> {
  const { bucket, stream, outputs, region } = values;
  if (outputs !== undefined) {
    if (bucket !== undefined || stream !== undefined) {
      throw new OperationsError(
        `--outputs names the bucket and the stream: drop --bucket and --stream\n${USAGE}`,
      );
    }
    return outputsTarget(outputs, values["stack-name"], region);
  }
  if (bucket !== undefined || stream !== undefined) {
    if (bucket === undefined || stream === undefined) {
      throw new OperationsError(`--bucket and --stream go together (a deployed stack)\n${USAGE}`);
    }
    return awsTarget({ bucket, stream, region });
  }
  if (region !== undefined)
    throw new OperationsError(`--region goes with --bucket/--stream or --outputs\n${USAGE}`);
  return localTarget(values["data-dir"], values["dry-run"]);
}

/**
 * `tailor replay --from <ISO time> --to <ISO time> [--dry-run]`: puts the records the raw event archive holds for
 * that range of arrival times back on the event stream, for ingest to fold (docs/operations.md, Replay). On the
 * local stack of the data dir, or on AWS by `--bucket`/`--stream` or the stack's outputs file. Prints what it
 * read, put, skipped and the lines it could not read; exit 0 when every record of the range was put (or counted,
 * in a dry run), 1 when something could not be used or the stream kept refusing records.
 */
export async function replayCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      from: { type: "string" },
      to: { type: "string" },
      shard: { type: "string", multiple: true },
      "dry-run": { type: "boolean", default: false },
      force: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      bucket: { type: "string" },
      stream: { type: "string" },
      outputs: { type: "string" },
      "stack-name": { type: "string", default: "Tailor" },
      region: { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new OperationsError(USAGE);
  const range = replayRange(values.from, values.to, { force: values.force, now: Date.now() });
  for (const warning of range.warnings) process.stderr.write(`tailor replay: warning: ${warning}\n`);
  const target = await openTarget(values);
  const { replayArchive } = await import("#shared/app/replay-archive.js");
  const progress = new ProgressLine();
  const print = (summary: ReplaySummary) => {
    progress.done();
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ where: target.where, ...summary }, null, 2)}\n`
        : formatReplaySummary(summary, target.where),
    );
  };
  try {
    const summary = await replayArchive(
      { archive: target.archive, stream: target.stream },
      {
        fromMs: range.fromMs,
        toMs: range.toMs,
        dryRun: values["dry-run"],
        ...(values.shard === undefined ? {} : { shards: new Set(values.shard) }),
        // A progress line, except under --json (whose output a program reads).
        onObject: (so) => {
          if (values.json) return;
          progress.update(
            `replay: ${count(so.objects)} objects, ${count(so.read)} records read, ${count(so.put)} put`,
          );
        },
      },
    );
    print(summary);
    return summary.skipped + summary.badLines + summary.unreadableObjects.length === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof ReplayIncompleteError) print(error.summary);
    throw error;
  } finally {
    await target.close();
  }
}
