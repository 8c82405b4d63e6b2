import type { Node } from "constructs";
import {
  ALARM_CONTEXT_KEYS,
  type AlarmSettingsInput,
  hasAlarmDestination,
  REQUIRED_ALARM_SETTING,
} from "./alarm-settings.js";
import { API_CONTEXT_KEYS } from "./api-settings.js";
import {
  CAMPAIGN_CONTEXT_KEYS,
  type CampaignSettingsInput,
  REQUIRED_CAMPAIGN_SETTINGS,
} from "./campaign-settings.js";
import { CATALOG_CONTEXT_KEYS } from "./catalog-settings.js";
import { CONSOLE_CONTEXT_KEYS } from "./console-settings.js";
import { DATA_QUALITY_CONTEXT_KEYS } from "./data-quality.js";
import { FANOUT_CONTEXT_KEYS } from "./fanout-settings.js";
import { InfraConfigError } from "./infra-config-error.js";
import { INGEST_CONTEXT_KEYS } from "./ingest.js";
import { LINK_KEY_CONTEXT_KEYS } from "./link-key-settings.js";
import { MissingSettingError } from "./missing-setting-error.js";
import { MODEL_DRIFT_CONTEXT_KEYS } from "./model-drift.js";
import { MODEL_CONTEXT_KEYS } from "./model-settings.js";
import { RESCORING_CONTEXT_KEYS } from "./rescoring.js";
import { RETENTION_CONTEXT_KEYS } from "./retention-settings.js";
import { SMS_CONTEXT_KEYS } from "./sms-settings.js";
import { STREAM_CONTEXT_KEYS } from "./stream-settings.js";

/**
 * Every setting the stack reads from the CDK context (`-c key=value`, or `context` in `cdk.json`): the one list
 * an unknown key is checked against. A module that reads a new key adds it here.
 */
export const SETTING_KEYS: readonly string[] = [
  ...CAMPAIGN_CONTEXT_KEYS,
  ...API_CONTEXT_KEYS,
  ...ALARM_CONTEXT_KEYS,
  ...RESCORING_CONTEXT_KEYS,
  ...MODEL_CONTEXT_KEYS,
  ...MODEL_DRIFT_CONTEXT_KEYS,
  ...INGEST_CONTEXT_KEYS,
  ...RETENTION_CONTEXT_KEYS,
  ...STREAM_CONTEXT_KEYS,
  ...LINK_KEY_CONTEXT_KEYS,
  ...FANOUT_CONTEXT_KEYS,
  ...DATA_QUALITY_CONTEXT_KEYS,

  ...CATALOG_CONTEXT_KEYS,
  ...CONSOLE_CONTEXT_KEYS,
  ...SMS_CONTEXT_KEYS,
];

/** The CDK's own context keys without a `:` (the CLI's notices and telemetry). */
const CDK_PLAIN_KEYS = new Set(["acknowledged-issue-numbers", "cli-telemetry"]);

/**
 * Whether `key` belongs to the CDK rather than to Tailor: feature flags (`@aws-cdk/…:…`), the CLI's and the
 * framework's own (`aws:cdk:…`), cached lookups (`availability-zones:account=…`): all with a `:` or an `@`.
 */
function isCdkKey(key: string): boolean {
  return key.includes(":") || key.startsWith("@") || CDK_PLAIN_KEYS.has(key);
}

/** Edit distance of two keys, case-insensitive (a misspelt key is usually one or two edits away). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The known key closest to `key`, when it is close enough to be a misspelling of it. */
export function closestSettingKey(key: string, known: readonly string[] = SETTING_KEYS): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (best === undefined || d < best.distance) best = { key: candidate, distance: d };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

/**
 * Refuses the context keys of `node` (and its ancestors) that are neither the CDK's nor a known setting, naming
 * each and the closest known key: a misspelt `-c fromAdress=…` fails the synth instead of being ignored.
 */
export function checkSettingKeys(node: Node): void {
  const unknown = Object.keys(node.getAllContext()).filter(
    (key) => !isCdkKey(key) && !SETTING_KEYS.includes(key),
  );
  if (unknown.length === 0) return;
  const problems = unknown.map((key) => {
    const closest = closestSettingKey(key);
    return closest === undefined
      ? `${key} is not a Tailor setting`
      : `${key} is not a Tailor setting (did you mean ${closest}?)`;
  });
  throw new InfraConfigError(
    `unknown setting(s): ${problems.join("; ")}. Known settings: ${SETTING_KEYS.join(", ")} (docs/deploy.md)`,
  );
}

/**
 * Throws one {@link MissingSettingError} naming every required setting that neither `input` (the stack's
 * props) nor the context of `node` gives: the sender, the shop, the alarm destination.
 */
export function requireSettings(input: CampaignSettingsInput & AlarmSettingsInput, node: Node): void {
  const missing = REQUIRED_CAMPAIGN_SETTINGS.filter(({ key }) => {
    const value: unknown = input[key] ?? node.tryGetContext(key);
    return value === undefined || value === "";
  });
  const all = hasAlarmDestination(input, node) ? missing : [...missing, REQUIRED_ALARM_SETTING];
  if (all.length > 0) throw new MissingSettingError(all);
}
