import { parseArgs } from "node:util";
import { CONSOLE_OUTPUTS } from "#infra/console-output-names.js";
import { formatChecklist } from "./doctor-checks.js";
import { consoleChecks } from "./doctor-console.js";
import { doctorTargetsFromOutputs, regionOfArn } from "./doctor-targets.js";
import { OperationsError } from "./operations-error.js";
import { readOutputsFile, stackOutputsOf } from "./outputs-file.js";

const USAGE = "usage: tailor doctor [--outputs cdk-outputs.json] [--stack-name Tailor] [--region R] [--json]";

/**
 * `tailor doctor`: read-only checks of a deployed stack (SES identity and DKIM, production access, send quota,
 * configuration set, model endpoints, alarm subscription, stream lag), each with its fix. The names come from
 * the stack's outputs as `cdk deploy --outputs-file` wrote them; the region from `--region`, else the alarm
 * topic's ARN. Exit 0 when every check passes, 1 otherwise.
 */
export async function doctorCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      outputs: { type: "string", default: "cdk-outputs.json" },
      "stack-name": { type: "string", default: "Tailor" },
      region: { type: "string" },
      json: { type: "boolean", default: false },
      // Every command takes --data-dir (the usage says so); this one reads no local stack.
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new OperationsError(USAGE);
  const file = values.outputs;
  const json = await readOutputsFile(file);
  const targets = doctorTargetsFromOutputs(file, json, values["stack-name"]);
  const region = values.region ?? regionOfArn(targets.alarmTopicArn);
  const [{ SESv2Client }, { SageMakerClient }, { SNSClient }, { CloudWatchClient }, { runDoctor }] =
    await Promise.all([
      import("@aws-sdk/client-sesv2"),
      import("@aws-sdk/client-sagemaker"),
      import("@aws-sdk/client-sns"),
      import("@aws-sdk/client-cloudwatch"),
      import("./doctor-probes.js"),
    ]);
  const config = region === undefined ? {} : { region };
  const clients = {
    ses: new SESv2Client(config),
    sageMaker: new SageMakerClient(config),
    sns: new SNSClient(config),
    cloudWatch: new CloudWatchClient(config),
  };
  try {
    const consoleUrl = stackOutputsOf(file, json, values["stack-name"])[CONSOLE_OUTPUTS.url];
    const checks = [
      ...(await runDoctor(clients, targets, new Date())),
      ...(typeof consoleUrl === "string" ? await consoleChecks(consoleUrl) : []),
    ];
    process.stdout.write(
      values.json
        ? `${JSON.stringify({ region, checks }, null, 2)}\n`
        : `tailor doctor: stack ${values["stack-name"]} in ${region ?? "the default region"}\n${formatChecklist(checks)}`,
    );
    return checks.every((check) => check.ok) ? 0 : 1;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}
