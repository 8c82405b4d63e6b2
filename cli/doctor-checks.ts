import type { GetMetricDataCommandOutput } from "@aws-sdk/client-cloudwatch";
import type { DescribeEndpointCommandOutput } from "@aws-sdk/client-sagemaker";
import type {
  GetAccountCommandOutput,
  GetConfigurationSetEventDestinationsCommandOutput,
  GetEmailIdentityCommandOutput,
} from "@aws-sdk/client-sesv2";
import type { Subscription } from "@aws-sdk/client-sns";

/** One line of `tailor doctor`'s checklist: what was checked, what was found, and the fix when it failed. */
export interface Check {
  /** A stable id (`ses-identity`, `model-endpoint:purchase_30d`), for `--json` readers. */
  readonly id: string;
  /** What is checked, in a few words. */
  readonly title: string;
  readonly ok: boolean;
  /** What the account answered. */
  readonly detail: string;
  /** What to do about a failure. */
  readonly fix?: string;
}

/** An AWS call's answer, or the error it ended with (a missing resource, a denied call). */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** The error's name and message, for a check's detail: `NotFoundException: …`. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Whether the error says the resource is not there (SES, SNS: NotFoundException; SageMaker: ValidationException). */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === "NotFoundException" ||
    error.name === "ResourceNotFoundException" ||
    (error.name === "ValidationException" && /could not find/i.test(error.message))
  );
}

/** A call that failed for another reason than a missing resource: the check says so and how to allow it. */
function unreadable(id: string, title: string, error: unknown, action: string): Check {
  return {
    id,
    title,
    ok: false,
    detail: `could not read it: ${errorText(error)}`,
    fix: `run with credentials of the deployed account that allow ${action}, in the stack's region (--region)`,
  };
}

/** A check of an answer read: passed, or failed with its fix. */
function judged(
  head: { readonly id: string; readonly title: string },
  passed: boolean,
  detail: string,
  fix: string,
): Check {
  return passed ? { ...head, ok: true, detail } : { ...head, ok: false, detail, fix };
}

/** A failed call's check: the resource is missing (with what to do), or the call could not be made. */
function failedCall(
  head: { readonly id: string; readonly title: string },
  error: unknown,
  action: string,
  missing: { readonly detail: string; readonly fix: string },
): Check {
  if (!isNotFound(error)) return unreadable(head.id, head.title, error, action);
  return { ...head, ok: false, ...missing };
}

/** The sending identity (domain or address) is verified for sending and signs with DKIM. */
export function senderIdentityCheck(identity: string, answer: Answer<GetEmailIdentityCommandOutput>): Check {
  const id = "ses-identity";
  const title = `SES identity ${identity} verified, DKIM on`;
  if (!answer.ok) {
    return failedCall({ id, title }, answer.error, "ses:GetEmailIdentity", {
      detail: "no such identity in this account and region",
      fix: `create it: SES console → Identities → Create identity (${identity}), then publish its DKIM CNAME records`,
    });
  }
  const verified = answer.value.VerifiedForSendingStatus === true;
  const dkim = answer.value.DkimAttributes;
  const dkimOn = dkim?.SigningEnabled === true && dkim.Status === "SUCCESS";
  const detail = `verified for sending: ${verified ? "yes" : "no"}; DKIM signing ${
    dkim?.SigningEnabled === true ? "enabled" : "disabled"
  }, status ${dkim?.Status ?? "unknown"}`;
  return judged(
    { id, title },
    verified && dkimOn,
    detail,
    verified
      ? `publish the identity's 3 DKIM CNAME records in DNS (SES console → Identities → ${identity} → DKIM) and enable signing`
      : `finish verifying ${identity}: publish its DKIM CNAME records (a domain) or click the link SES mailed (an address)`,
  );
}

/** The account may send outside the sandbox (production access) and sending is not paused. */
export function productionAccessCheck(answer: Answer<GetAccountCommandOutput>): Check {
  const id = "ses-production";
  const title = "SES production access";
  if (!answer.ok) return unreadable(id, title, answer.error, "ses:GetAccount");
  const account = answer.value;
  if (account.SendingEnabled === false) {
    return {
      id,
      title,
      ok: false,
      detail: `sending is paused for this account (enforcement status ${account.EnforcementStatus ?? "unknown"})`,
      fix: "read the SES console's reputation dashboard, fix the cause, then resume sending (or ask AWS Support)",
    };
  }
  if (account.ProductionAccessEnabled === true) {
    return { id, title, ok: true, detail: "production access: emails go to any address" };
  }
  return {
    id,
    title,
    ok: false,
    detail: "sandbox: emails go only to verified addresses, 200 a day, 1 a second",
    fix: "request production access: SES console → Account dashboard → Request production access",
  };
}

/** The account's send rate is at least the stack's `sendRatePerSecond`, else dispatch is throttled by SES. */
export function sendQuotaCheck(answer: Answer<GetAccountCommandOutput>, sendRatePerSecond: number): Check {
  const id = "ses-quota";
  const title = `SES send rate ≥ sendRatePerSecond (${sendRatePerSecond}/s)`;
  if (!answer.ok) return unreadable(id, title, answer.error, "ses:GetAccount");
  const quota = answer.value.SendQuota;
  const rate = quota?.MaxSendRate;
  if (rate === undefined) {
    return { id, title, ok: false, detail: "SES returned no send quota", fix: "check the SES console" };
  }
  const daily = quota?.Max24HourSend === undefined ? "" : `, ${quota.Max24HourSend} a day`;
  const detail = `account rate ${rate}/s${daily}; the stack sends at up to ${sendRatePerSecond}/s`;
  return judged(
    { id, title },
    rate >= sendRatePerSecond,
    detail,
    `lower the setting to the account's rate and deploy (-c sendRatePerSecond=${rate}), or ask for a higher quota (Service Quotas → SES → Sending rate)`,
  );
}

/** The configuration set exists and publishes its events to EventBridge (what the SES feedback rule reads). */
export function configurationSetCheck(
  name: string,
  answer: Answer<GetConfigurationSetEventDestinationsCommandOutput>,
): Check {
  const id = "ses-configuration-set";
  const title = `SES configuration set ${name} → EventBridge`;
  if (!answer.ok) {
    return failedCall({ id, title }, answer.error, "ses:GetConfigurationSetEventDestinations", {
      detail: "no such configuration set in this account and region",
      fix: "deploy the stack in this region (it creates the set), or pass the stack's --region",
    });
  }
  const destinations = answer.value.EventDestinations ?? [];
  const bridge = destinations.filter((d) => d.EventBridgeDestination !== undefined);
  const enabled = bridge.filter((d) => d.Enabled === true);
  const detail =
    bridge.length === 0
      ? `${destinations.length} event destination(s), none to EventBridge`
      : `EventBridge destination ${enabled[0]?.Name ?? bridge[0]?.Name ?? ""}${enabled.length === 0 ? " (disabled)" : ""}`;
  return judged(
    { id, title },
    enabled.length > 0,
    detail,
    bridge.length === 0
      ? "deploy the stack again (it declares the destination); without it no delivery, bounce or open reaches Tailor"
      : `enable it: SES console → Configuration sets → ${name} → Event destinations`,
  );
}

/** A model endpoint named in the settings exists and is `InService`. */
export function modelEndpointCheck(
  model: string,
  endpoint: string,
  answer: Answer<DescribeEndpointCommandOutput>,
): Check {
  const id = `model-endpoint:${model}`;
  const title = `model ${model}: SageMaker endpoint ${endpoint} InService`;
  if (!answer.ok) {
    return failedCall({ id, title }, answer.error, "sagemaker:DescribeEndpoint", {
      detail: "no such endpoint in this account and region",
      fix: `deploy the model (docs/models.md) as endpoint ${endpoint}, or point the setting at yours (-c modelEndpoints='{"${model}":"<name>"}')`,
    });
  }
  const status = answer.value.EndpointStatus ?? "unknown";
  if (status === "InService") return { id, title, ok: true, detail: "InService" };
  const reason = answer.value.FailureReason;
  return {
    id,
    title,
    ok: false,
    detail: `status ${status}${reason === undefined ? "" : `: ${reason}`}`,
    fix:
      status === "Creating" || status === "Updating" || status === "SystemUpdating"
        ? "wait for it to finish and run doctor again"
        : `see the endpoint's events in the SageMaker console, fix and update endpoint ${endpoint}`,
  };
}

/** The alarm topic has at least one confirmed subscription: someone hears the alarms. */
export function alarmSubscriptionCheck(topicArn: string, answer: Answer<readonly Subscription[]>): Check {
  const id = "alarm-subscription";
  const title = "alarm topic has a confirmed subscription";
  if (!answer.ok) {
    return failedCall({ id, title }, answer.error, "sns:ListSubscriptionsByTopic", {
      detail: `no such topic: ${topicArn}`,
      fix: "check --stack-name and --region; deploy the stack",
    });
  }
  const confirmed = answer.value.filter((s) => isConfirmed(s.SubscriptionArn));
  const pending = answer.value.length - confirmed.length;
  const detail = `${confirmed.length} confirmed${pending > 0 ? `, ${pending} pending confirmation` : ""}${
    confirmed.length > 0
      ? ` (${confirmed.map((s) => `${s.Protocol ?? "?"}:${s.Endpoint ?? "?"}`).join(", ")})`
      : ""
  }`;
  return judged(
    { id, title },
    confirmed.length > 0,
    detail,
    pending > 0
      ? 'click the link in the "AWS Notification - Subscription Confirmation" email SNS sent to the alarm address'
      : `subscribe someone: aws sns subscribe --topic-arn ${topicArn} --protocol email --notification-endpoint you@example.org`,
  );
}

/** A subscription is confirmed when SNS gives it an ARN (not `PendingConfirmation` nor `Deleted`). */
function isConfirmed(arn: string | undefined): boolean {
  return arn?.startsWith("arn:") === true;
}

/** Above this age the ingest function is lagging: worth a look. */
export const ITERATOR_AGE_LIMIT_MS = 5 * 60_000;

/** The stream's iterator age (how far ingest lags behind the newest record) over the last hour stays low. */
export function iteratorAgeCheck(
  streamName: string,
  answer: Answer<GetMetricDataCommandOutput>,
  limitMs = ITERATOR_AGE_LIMIT_MS,
): Check {
  const id = "stream-iterator-age";
  const title = `event stream ${streamName}: ingest keeps up (iterator age < ${formatMs(limitMs)})`;
  if (!answer.ok) return unreadable(id, title, answer.error, "cloudwatch:GetMetricData");
  const values = (answer.value.MetricDataResults ?? []).flatMap((result) => result.Values ?? []);
  if (values.length === 0) {
    return {
      id,
      title,
      ok: true,
      detail: "no reads in the last hour (no traffic yet, or the metric is new)",
    };
  }
  const max = Math.max(...values);
  const latest = values[0] ?? max;
  const detail = `max ${formatMs(max)} over the last hour, latest ${formatMs(latest)}`;
  return judged(
    { id, title },
    max < limitMs,
    detail,
    "look at the ingest function's errors and duration (dashboard, logs); records older than the stream's retention are lost — add shards if ingest is busy, fix and replay if it fails",
  );
}

/** `950 ms`, `12 s`, `3.5 min`, `2.0 h`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** The checklist as printed: `✓`/`✗` and the title, the detail beneath, the fix after `fix:`; a summary last. */
export function formatChecklist(checks: readonly Check[]): string {
  const lines = checks.flatMap((check) => [
    `${check.ok ? "✓" : "✗"} ${check.title}`,
    `    ${check.detail}`,
    ...(check.ok || check.fix === undefined ? [] : [`    fix: ${check.fix}`]),
  ]);
  const failed = checks.filter((check) => !check.ok).length;
  lines.push(failed === 0 ? `all ${checks.length} checks pass` : `${failed} of ${checks.length} checks fail`);
  return `${lines.join("\n")}\n`;
}
