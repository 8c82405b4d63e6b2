/**
 * The local stack as `tailor up` runs it (real template, real handlers behind their pollers and schedules, state
 * persisted in the data dir), as a child process the crash tests kill with SIGKILL and start again. Two things
 * differ from `tailor up`, both for the observer:
 * - the functions' SES endpoint is `FAULTS_SES_URL`, a mail sink the test process owns: aws-ses-v2-local keeps
 *   its mail in memory, so the stack's own SES emulator forgets every email at a kill, and a double send across a
 *   restart could not be seen;
 * - the models are off (scoring fails fast and scores are kept): nothing to train before the first start;
 * - with `FAULTS_SENDS_VISIBILITY_S`, the sends queue's visibility timeout is that many seconds instead of the
 *   template's 6 × the dispatch timeout (6 minutes), which is how long an intent a killed dispatch had received
 *   stays invisible: the tests need the stack to drain within a minute. It is set in the template, so the queue
 *   has it from its creation and every message, even one received the instant a restarted stack polls, gets it.
 * `FAULTS_CAMPAIGNS_DIR`, when set, is the functions' `CAMPAIGNS_DIR`. `FAULTS_TEMPLATE_FILE`, when set, caches the
 * synthesised template (`tailor up` synthesises it at every start): the first start writes it, restarts read it,
 * which saves each restart the synth, 10–20 s on a busy 2-core machine.
 *
 * Usage: `tsx test/faults/support/stack-process.ts <data dir>`. Prints one JSON line `{"ready": endpoints}` on
 * stdout once it serves; SIGTERM stops it cleanly.
 */
import "#cli/hide-sqlite-warning.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { synthTemplate } from "#infra/app.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";

const [dataDir] = process.argv.slice(2);
const sesUrl = process.env.FAULTS_SES_URL;
if (dataDir === undefined || sesUrl === undefined || sesUrl === "") {
  process.stderr.write("usage: FAULTS_SES_URL=<url> tsx test/faults/support/stack-process.ts <data dir>\n");
  process.exit(2);
}
const campaignsDir = process.env.FAULTS_CAMPAIGNS_DIR;
const templateFile = process.env.FAULTS_TEMPLATE_FILE;

const visibility = process.env.FAULTS_SENDS_VISIBILITY_S;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Sets the visibility timeout of the sends queue in a synthesised template (in place). */
function shortenSendsVisibility(synthesised: Record<string, unknown>, seconds: number): void {
  const resources = isRecord(synthesised.Resources) ? synthesised.Resources : {};
  for (const resource of Object.values(resources)) {
    if (!isRecord(resource) || resource.Type !== "AWS::SQS::Queue" || !isRecord(resource.Properties))
      continue;
    const tags = Array.isArray(resource.Properties.Tags) ? resource.Properties.Tags : [];
    const named = tags.some(
      (tag) => isRecord(tag) && tag.Key === LOCAL_NAME_TAG && tag.Value === LOCAL_NAMES.sendsQueue,
    );
    if (named) {
      resource.Properties.VisibilityTimeout = seconds;
      return;
    }
  }
  throw new Error(`no queue ${LOCAL_NAMES.sendsQueue} in the template`);
}

function synthesise(): Record<string, unknown> {
  const synthesised = synthTemplate();
  if (visibility !== undefined && visibility !== "") shortenSendsVisibility(synthesised, Number(visibility));
  return synthesised;
}

function template(): unknown {
  if (templateFile === undefined || templateFile === "") return synthesise();
  if (existsSync(templateFile)) return JSON.parse(readFileSync(templateFile, "utf8"));
  const synthesised = synthesise();
  writeFileSync(templateFile, JSON.stringify(synthesised));
  return synthesised;
}

const stack = await startLocalStack({
  dataDir,
  ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 },
  models: false,
  template,
  log: (line) => process.stderr.write(`${line}\n`),
  env: {
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
    AWS_ENDPOINT_URL_SESV2: sesUrl,
    ...(campaignsDir === undefined || campaignsDir === "" ? {} : { CAMPAIGNS_DIR: campaignsDir }),
  },
});
process.stdout.write(`${JSON.stringify({ ready: stack.endpoints, pid: process.pid })}\n`);
process.once("SIGTERM", () => {
  void stack.stop().finally(() => process.exit(0));
});
