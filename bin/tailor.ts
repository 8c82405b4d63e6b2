/**
 * The `tailor` CLI: the embedded local stack and what to do with it. `npx tailor` (bin/tailor.mjs) runs it compiled
 * ahead (`.tailor/cli/`, rebuilt when a source file changes), or through tsx when it cannot be built.
 *
 * This module holds only the usage text and a table of lazy imports: `--help` and a usage error load no command
 * module (no AWS SDK, no emulator, no node:sqlite); a command loads only its own modules.
 */
import { reportError } from "../cli/cli-errors.js";

const USAGE = `Usage: tailor <command> [options]

  up [--fresh] [--data-dir D]          the local stack alone (model endpoints served from --models F,
                                       default .tailor/models, trained on first use), until Ctrl-C
  start [--exit] [--models F]          up + a simulated shop, a summary, then stays up (npm start)
      [--customers 500] [--days 30] [--seed 42] [--malformed 7] [--rate R]
  simulate --customers N --days D --seed S [--rate R] [--malformed K] [--embedded]
                                       the simulator's traffic onto a running stack (or an embedded one)
  profile <customerId> [--json|--raw]  a customer's profile: summary, readable JSON (--json), or the item
                                       as stored (--raw: short keys)
  quarantine [--json]                  the malformed records, with their raw bytes and the reason
  preview <template> --customer <id>   render an email for a stored profile (every variant), or
  preview [<template>] --all           every template for every sample profile (templates/samples);
      [--variant V] [--out .tailor/preview]
                                       writes HTML + text and an index page, prints its path
  segments [--json]                    every segment with its size (from the counters) and last recount
  segments recount|rfm|reevaluate|reindex
      [--slices 8] [--outputs F]       batch jobs on the segment jobs state machine: exact sizes; RFM thresholds
                                       and scores; re-evaluation after a definition changed (each emits the
                                       transitions it causes); the membership index rebuilt
  segments import <segmentId> <file.csv>
                                       add the customers of a CSV (column customerId) to a static segment
  explain <customerId> [--json] [--at ISO-time]
                                       for each segment: in or out, and which conditions held, with values;
                                       then the sends and decisions not to send of the last 30 days, with reasons
  erase <customerId> [--json]          erase everything held about a customer, keep a tombstone; a receipt
  export <customerId> [--out file]     everything held about a customer, as one JSON document
  import <file> [--format csv|jsonl]   historical customers and orders (docs/import.md), with their own times:
      [--mapping m.json] [--no-rfm]    folded into profiles, starting no journey; then RFM recomputed
      [--api URL --write-key K]        (or posted to a deployed stack's /v1/import); refused rows listed
  content import <file> | list         the content library (articles, tips, guides with interest tags) from
      [--format json|jsonl|csv]        JSON, JSON Lines or CSV: rows checked, items that left the file
      [--table T --region R]           retired (docs/content.md); the local data dir, or the table on AWS

  catalog import <file> [--dry-run]    the shop's products from a feed (CSV, JSON, Merchant Center XML/TSV:
      [--format F] [--market de-DE --currency EUR]   docs/catalog.md): changed upserted, left retired
  catalog show <productId>             a product as the catalog holds it
  keys create --source web | list      the write keys of the Segment-compatible HTTP API (create and rotate
  keys revoke <id> | rotate <id>       print the key once); rotate --grace 24h keeps the old key that long;
      [--table T --region R]           with --table/--region, the table on AWS (stack output WriteKeysTable)
  links keys | rotate                  the keys signing unsubscribe and preference links: list them (never the
      [--grace-days 90]                secrets); rotate adds a key, the old one verifies sent links 90 days
      [--drop-retired]                 (--drop-retired: none, after a leak); the local data dir's secret, or
      [--secret-arn ARN --region R]    the deployed one (stack output LinkSecretArn; docs/operations.md)
  audit [--customer id] [--since ISO]  consent changes, erasures and exports, newest first [--json]
      [--limit 100]                    (says when it stopped at the limit)
  train [--customers 600] [--days 90]  trains the propensity models and the recommender on simulated history,
                                       prints the hold-out evaluation, writes the artifacts (.tailor/models)
  train --from-stack [--data-dir D]    learns from the local stack's event archive (XGBoost), evaluates on a
      [--cutoff ISO]                   later hold-out, promotes or refuses (exit 3) into the model registry
  models [--json] [--model m]          the registry's versions, their evaluation, which one is in service
  train --aws [--outputs F] [--wait]   starts the deployed stack's training workflow [--cutoff ISO] and,
                                       with --wait, follows it and prints each model's decision
  rescore [--slices 8] [--models F]    runs the nightly rescoring state machine now (on the running stack, or
                                       one it starts) with a local model server; prints scores, tiers, drift
  campaign status <id> [--occurrence T] a scheduled campaign's fan-out run (the latest, or the tick T):
      [--aws [--outputs F]] [--json]   parts done, profiles read, intents enqueued, errors (--aws: deployed)
  campaign run <id> [--occurrence T]   runs (or resumes) one tick of its fan-out workflow on a local stack
  campaign dry-run <id> [--at T]       who the tick would reach, sending and writing nothing: counts by variant,
      [--sample 5] [--campaign-file F]   holdout and skip reason, rendered samples; with a changed file, who
      [--segment-file F] [--json]        enters and leaves the recipients
      [--outputs F [--region R]]         on the deployed stack's tables, the working tree's definitions
  doctor [--outputs cdk-outputs.json] checks a deployed stack, read-only: SES identity and DKIM, production
      [--stack-name Tailor] [--region R] [--json]   access, send quota, configuration set, model endpoints,
                                       alarm subscription, stream lag; the fix for each failure (exit 1)
  cost --events 50M --profiles 2M      the monthly AWS cost of a deployment for those volumes, with the
      --emails 10M [--model-calls N]   assumptions and prices used (docs/operations.md)
      [--region us-east-1] [--stream on-demand|provisioned] [--json]
  replay --from ISO --to ISO           the archived records of that range of arrival times, put back on the
      [--shard S]... [--dry-run]       event stream after an ingest outage (docs/operations.md): on the running
      [--force] [--json]               local stack, or on AWS: --bucket B --stream S [--region R], or
      [--outputs F] [--stack-name N]   the stack's outputs file
  report [--campaign X] [--out F]      the experiment report (variants, holdout, lifts, verdicts) as one HTML
      [--mde 0.1] [--currency USD]     page, from the counters kept as sends and engagement happen

Every command takes --data-dir D (default .tailor/data) and --verbose (or TAILOR_DEBUG=1: the stack trace of
an error). "Nothing found" is said on stderr and exits 1. Commands that start a stack take --fresh,
--verbose (the functions' own logs and metrics) and --port-dynamodb, --port-kinesis, --port-sqs-s3,
--port-ses, --port-api, --port-sms (or TAILOR_PORT_DYNAMODB, TAILOR_PORT_KINESIS, TAILOR_PORT_SQS_S3,
TAILOR_PORT_SES, TAILOR_PORT_API, TAILOR_PORT_SMS; 0 = any free).
profile, quarantine, segments and explain read the running stack of the data dir, or open the data dir
directly when none runs; segments and explain take --segments-dir S (default templates/segments).
`;

/** A command: `argv` after its name → exit code. */
type Command = (argv: readonly string[]) => Promise<number>;

interface CommandEntry {
  readonly load: () => Promise<Command>;
  /** Whether the command reads `--verbose` itself (the function logs); for the others the CLI takes it. */
  readonly ownVerbose?: true;
}

// Literal specifiers, so that the compiler checks each export and the bundler makes each command a chunk.
const commands: Readonly<Record<string, CommandEntry>> = {
  up: { load: async () => (await import("../cli/up-command.js")).upCommand, ownVerbose: true },
  start: {
    load: async () => (await import("../cli/simulate-command.js")).startCommand,
    ownVerbose: true,
  },
  simulate: {
    load: async () => (await import("../cli/simulate-command.js")).simulateCommand,
    ownVerbose: true,
  },
  profile: { load: async () => (await import("../cli/profile-command.js")).profileCommand },
  quarantine: {
    load: async () => (await import("../cli/quarantine-command.js")).quarantineCommand,
  },
  preview: { load: async () => (await import("../cli/preview-command.js")).previewCommand },
  segments: { load: async () => (await import("../cli/segments-command.js")).segmentsCommand },
  explain: { load: async () => (await import("../cli/explain-command.js")).explainCommand },
  erase: { load: async () => (await import("../cli/erase-command.js")).eraseCommand },
  export: { load: async () => (await import("../cli/export-command.js")).exportCommand },
  audit: { load: async () => (await import("../cli/audit-command.js")).auditCommand },
  import: { load: async () => (await import("../cli/import-command.js")).importCommand },
  catalog: { load: async () => (await import("../cli/catalog-command.js")).catalogCommand },
  keys: { load: async () => (await import("../cli/keys-command.js")).keysCommand },
  content: { load: async () => (await import("../cli/content-command.js")).contentCommand },
  links: { load: async () => (await import("../cli/links-command.js")).linksCommand },
  report: { load: async () => (await import("../cli/report-command.js")).reportCommand },
  replay: { load: async () => (await import("../cli/replay-command.js")).replayCommand },
  doctor: { load: async () => (await import("../cli/doctor-command.js")).doctorCommand },
  campaign: { load: async () => (await import("../cli/campaign-command.js")).campaignCommand },
  cost: { load: async () => (await import("../cli/cost-command.js")).costCommand },
  train: { load: async () => (await import("../cli/train-command.js")).trainCommand },
  models: { load: async () => (await import("../cli/models-command.js")).modelsCommand },
  rescore: {
    load: async () => (await import("../cli/rescore-command.js")).rescoreCommand,
    ownVerbose: true,
  },
};

/** Whether `--verbose` is among the options (before a `--`). */
function hasVerbose(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--verbose");
}

/** `argv` without the `--verbose` options (those after a `--` are arguments, and stay). */
function withoutVerbose(argv: readonly string[]): string[] {
  const end = argv.indexOf("--");
  return argv.filter((arg, i) => arg !== "--verbose" || (end !== -1 && i > end));
}

/** Runs the command named by `argv[0]`; an error it ends with is printed as one line (see `reportError`). */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  const entry = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (entry === undefined) {
    process.stderr.write(`tailor: unknown command "${name}" — see npx tailor --help\n`);
    return 1;
  }
  const verbose = hasVerbose(rest) || process.env.TAILOR_DEBUG === "1";
  // Every command takes --verbose (stack traces); the stack commands also show the functions' logs with it.
  const args = entry.ownVerbose === true ? rest : withoutVerbose(rest);
  const report = (error: unknown) => {
    process.stderr.write(`${reportError(name, error).line}\n`);
    if (verbose && error instanceof Error && error.stack !== undefined)
      process.stderr.write(`${error.stack}\n`);
  };
  // An emulator's own failure (a second stack on the same data dir: LevelDB's lock) arrives as an 'error' event
  // no one listens to, outside the command's promise: it ends the command the same way, in one line.
  const crash = (error: unknown) => {
    report(error);
    process.exit(1);
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  try {
    if (verbose) process.setSourceMapsEnabled(true);
    // Before any module loads node:sqlite (fauxqs): hides its one-time experimental warning.
    await import("../cli/hide-sqlite-warning.js");
    const command = await entry.load();
    return await command(args);
  } catch (error) {
    report(error);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
// Emulator handles and SDK sockets may linger after a clean stop; the command is done.
process.exit();
