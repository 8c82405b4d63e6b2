import { LOCAL_NAMES } from "../../local-names.js";
import type { LocalStack } from "../local-stack.js";
import { exportLines } from "../sdk-env.js";

/** What `tailor up` prints: endpoints, the variables to export, the local names. */
export function stackBanner(stack: LocalStack): string[] {
  const { endpoints } = stack;
  return [
    `Tailor local stack — data in ${stack.dataDir}`,
    `  DynamoDB   ${endpoints.dynamodb}`,
    `  Kinesis    ${endpoints.kinesis}`,
    `  SQS, S3    ${endpoints.sqs}`,
    `  SES v2     ${endpoints.sesv2}   (sent mail: ${endpoints.sesWebView})`,
    "",
    `  stream ${LOCAL_NAMES.eventStream} · profiles table ${LOCAL_NAMES.profileTable} · ` +
      `quarantine bucket ${LOCAL_NAMES.quarantineBucket} · dead letters ${LOCAL_NAMES.ingestDeadLetterQueue}`,
    `  running: ${stack.pollers.map((p) => `${p.functionName} ← ${p.streamName}`).join(", ") || "no functions"}`,
    "",
    "Point your own SDK code at it (an unchanged `new XClient({})` picks these up):",
    ...exportLines(stack.env).map((line) => `  ${line}`),
    "",
  ];
}
