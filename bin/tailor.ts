/**
 * The `tailor` CLI: the embedded local stack and what to do with it. Run with tsx (`npx tailor`, `npm start`).
 */
// First: it must run before any module loads node:sqlite.
import "../infra/local/cli/hide-sqlite-warning.js";
import { auditCommand } from "../infra/local/cli/audit-command.js";
import { eraseCommand } from "../infra/local/cli/erase-command.js";
import { explainCommand } from "../infra/local/cli/explain-command.js";
import { exportCommand } from "../infra/local/cli/export-command.js";
import { previewCommand } from "../infra/local/cli/preview-command.js";
import { profileCommand } from "../infra/local/cli/profile-command.js";
import { quarantineCommand } from "../infra/local/cli/quarantine-command.js";
import { reportCommand } from "../infra/local/cli/report-command.js";
import { rescoreCommand } from "../infra/local/cli/rescore-command.js";
import { segmentsCommand } from "../infra/local/cli/segments-command.js";
import { simulateCommand, startCommand } from "../infra/local/cli/simulate-command.js";
import { trainCommand } from "../infra/local/cli/train-command.js";
import { upCommand } from "../infra/local/cli/up-command.js";
import { TailorError } from "../shared/errors.js";

const USAGE = `Usage: tailor <command> [options]

  up [--fresh] [--data-dir D]          the local stack alone (model endpoints served from --models F,
                                       default .tailor/models, trained on first use), until Ctrl-C
  start [--exit] [--models F]          up + a simulated shop, a summary, then stays up (npm start)
      [--customers 500] [--days 30] [--seed 42] [--malformed 7] [--rate R]
  simulate --customers N --days D --seed S [--rate R] [--malformed K] [--embedded]
                                       the simulator's traffic onto a running stack (or an embedded one)
  profile <customerId> [--json]        a customer's profile as stored
  quarantine [--json]                  the malformed records, with their raw bytes and the reason
  preview <template> --customer <id>   render an email for a stored profile (every variant), or
  preview [<template>] --all           every template for every sample profile (templates/samples);
      [--variant V] [--out .tailor/preview]
                                       writes HTML + text and an index page, prints its path
  segments [--json]                    every segment with its size (from the counters) and last recount
  segments recount|rfm|reevaluate      batch jobs: exact sizes; RFM thresholds and scores; re-evaluation
      [--slices 4]                     after a definition changed (each emits the transitions it causes)
  segments import <segmentId> <file.csv>
                                       add the customers of a CSV (column customerId) to a static segment
  explain <customerId> [--json] [--at ISO-time]
                                       for each segment: in or out, and which conditions held, with values;
                                       then the sends and decisions not to send of the last 30 days, with reasons
  erase <customerId> [--json]          erase everything held about a customer, keep a tombstone; a receipt
  export <customerId> [--out file]     everything held about a customer, as one JSON document
  audit [--customer id] [--since ISO]  consent changes, erasures and exports, newest first [--json]
  train [--customers 600] [--days 90]  trains the propensity models and the recommender on simulated history,
                                       prints the hold-out evaluation, writes the artifacts (.tailor/models)
  rescore [--slices 8] [--models F]    runs the nightly rescoring state machine now (on the running stack, or
                                       one it starts) with a local model server; prints scores, tiers, drift
  report [--campaign X] [--out F]      the experiment report (variants, holdout, lifts, verdicts) as one HTML
      [--mde 0.1] [--currency USD]     page, from the counters kept as sends and engagement happen

Every command takes --data-dir D (default .tailor/data). Commands that start a stack take --fresh,
--verbose (the functions' own logs and metrics) and --port-dynamodb, --port-kinesis, --port-sqs-s3,
--port-ses, --port-api (or TAILOR_PORT_DYNAMODB, TAILOR_PORT_KINESIS, TAILOR_PORT_SQS_S3, TAILOR_PORT_SES,
TAILOR_PORT_API; 0 = any free).
profile, quarantine, segments and explain read the running stack of the data dir, or open the data dir
directly when none runs; segments and explain take --segments-dir S (default templates/segments).
`;

const commands: Readonly<Record<string, (argv: readonly string[]) => Promise<number>>> = {
  up: upCommand,
  start: startCommand,
  simulate: simulateCommand,
  profile: profileCommand,
  quarantine: quarantineCommand,
  preview: previewCommand,
  segments: segmentsCommand,
  explain: explainCommand,
  erase: eraseCommand,
  export: exportCommand,
  audit: auditCommand,
  report: reportCommand,
  train: trainCommand,
  rescore: rescoreCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`tailor: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  return command(rest);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Our errors and parseArgs' (ERR_PARSE_ARGS_*) speak to the user; anything else is a bug: show the stack.
  const known =
    error instanceof TailorError ||
    (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"));
  process.stderr.write(`tailor: ${known && error instanceof Error ? error.message : String(error)}\n`);
  if (!known && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
// Emulator handles and SDK sockets may linger after a clean stop; the command is done.
process.exit();
