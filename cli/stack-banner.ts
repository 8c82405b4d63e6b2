import { CONSOLE_PATH } from "#infra/local/local-console.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { endpointNames, namedEndpoints } from "#infra/local/model-server-runner.js";
import { exportLines } from "#infra/local/sdk-env.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { SEGMENT_POST_PATHS } from "#shared/app/api/segment-routes.js";
import { nextCronTime } from "#shared/domain/schedules/index.js";

/** Each function the stack drives, with what drives it: a stream, or a schedule at its period. */
function running(stack: LocalStack): string[] {
  const byStream = stack.pollers.map((p) => `${p.functionName} ← ${p.streamName}`);
  const byQueue = stack.sqsPollers.map((p) => `${p.functionName} ← ${p.queueName}`);
  const bySchedule = stack.plan.schedules.flatMap((schedule) => {
    const status = stack.scheduler.counters.find((c) => c.name === schedule.name);
    if (status === undefined) return [];
    const every = status.periodMs === schedule.periodMs ? schedule.expression : `every ${status.periodMs} ms`;
    return [
      ...schedule.targets.map((target) => `${target.functionName} ← ${every}`),
      ...(schedule.stateMachineTargets ?? []).map((target) => `${target.stateMachineName} ← ${every}`),
    ];
  });
  const byEvent = stack.eventBus.rules.flatMap((rule) =>
    rule.targets.map(
      (target) =>
        `${"stateMachine" in target ? target.stateMachine : target.function.functionName} ← events of ${rule.name}`,
    ),
  );
  return [...byStream, ...byQueue, ...bySchedule, ...byEvent];
}

/** The HTTP API's lines: its URL (the base of unsubscribe links) and its routes. */
function apiLines(stack: LocalStack): string[] {
  if (stack.apiUrl === undefined) return [];
  const all = stack.plan.httpApis.flatMap((api) => api.routes);
  // Segment's many paths (and their preflights) get a line of their own.
  const isSegment = (routeKey: string) => {
    const path = routeKey.split(" ")[1] ?? "";
    return SEGMENT_POST_PATHS.includes(path) || path.startsWith("/v1/projects/");
  };
  const routes = all.filter((route) => !isSegment(route.routeKey));
  const segment = all.some((route) => isSegment(route.routeKey));
  const guarded = routes.filter((route) => route.authorizationType !== "NONE").map((route) => route.routeKey);
  return [
    `  Console    ${stack.apiUrl}${CONSOLE_PATH}   (customers, segments, templates, campaigns; loopback, no sign-in)`,
    `  HTTP API   ${stack.apiUrl}   (unsubscribe links: ${stack.apiUrl}/unsubscribe)`,
    `             ${routes.map((route) => route.routeKey).join(" · ")}`,
    ...(segment
      ? [
          "             Segment's HTTP API: POST /v1/batch, /v1/import, /v1/track, … (write key: npx tailor keys create --source web)",
        ]
      : []),
    ...(guarded.length > 0
      ? [`             authorization not checked locally: ${guarded.join(", ")} accept every request`]
      : []),
  ];
}

/** The model server's line: where it is and which endpoints it serves, or that they are not served. */
function modelLines(stack: LocalStack): string[] {
  const names = endpointNames(namedEndpoints(stack.plan.functions));
  if (stack.modelsUrl !== undefined) {
    return [`  Models     ${stack.modelsUrl}   (SageMaker endpoints ${names.join(", ") || "none named"})`];
  }
  if (names.length === 0) return [];
  return [`  Models     not served: ${names.join(", ")} (scores are kept, recommendations fall back)`];
}

/** The schedules that start a state machine: when it runs next, and (the rescoring) how to run it now. */
function stateMachineLines(stack: LocalStack, now: number): string[] {
  return stack.plan.schedules.flatMap((schedule) => {
    if (!stack.scheduler.counters.some((c) => c.name === schedule.name)) return [];
    const next = schedule.cron === undefined ? undefined : nextCronTime(schedule.cron, now);
    const when =
      `${schedule.expression}` +
      (next === undefined
        ? ""
        : ` (next ${new Date(next).toISOString().slice(0, 16).replace("T", " ")} UTC)`);
    return (schedule.stateMachineTargets ?? []).map((target) =>
      target.stateMachineName === LOCAL_NAMES.rescoreStateMachine
        ? `  nightly rescoring: state machine ${target.stateMachineName} runs at ${when}; ` +
          "`npx tailor rescore` runs it now"
        : `  state machine ${target.stateMachineName} runs at ${when}`,
    );
  });
}

/** What `tailor up` prints: endpoints, the variables to export, the local names. */
export function stackBanner(stack: LocalStack, now: number = Date.now()): string[] {
  const { endpoints } = stack;
  return [
    `Tailor local stack — data in ${stack.dataDir}`,
    `  DynamoDB   ${endpoints.dynamodb}`,
    `  Kinesis    ${endpoints.kinesis}`,
    `  SQS, S3    ${endpoints.sqs}`,
    `  SES v2     ${endpoints.sesv2}   (sent mail, web view: ${endpoints.sesWebView})`,
    ...apiLines(stack),
    ...modelLines(stack),
    ...(stack.sms === undefined
      ? []
      : [`  SMS        ${stack.sms.url}   (texts sent and replies, web view: ${stack.sms.url}/)`]),
    "",
    `  stream ${LOCAL_NAMES.eventStream} · profiles table ${LOCAL_NAMES.profileTable} · ` +
      `quarantine bucket ${LOCAL_NAMES.quarantineBucket} · dead letters ${LOCAL_NAMES.ingestDeadLetterQueue}`,
    `  timers table ${LOCAL_NAMES.timersTable} · segments table ${LOCAL_NAMES.segmentsTable} · ` +
      `transitions queue ${LOCAL_NAMES.transitionsQueue}`,
    `  running: ${running(stack).join(", ") || "no functions"}`,
    ...stateMachineLines(stack, now),
    "",
    "Point your own SDK code at it (an unchanged `new XClient({})` picks these up):",
    ...exportLines(stack.env).map((line) => `  ${line}`),
    "",
  ];
}
