import type { Node } from "constructs";
import { z } from "zod";
import {
  DEFAULT_AUDIT_RETENTION_DAYS,
  DEFAULT_LEDGER_RETENTION_DAYS,
  DEFAULT_TIMER_GRACE_DAYS,
} from "#shared/aws/dynamo-ttl.js";
import { InfraConfigError } from "./infra-config-error.js";

/** How long data is kept: stack props, else CDK context (`-c key=value`), else defaults. */
export interface RetentionSettingsInput {
  /**
   * Days a send-ledger item (claim, outcome, SES acceptance) is kept after it was written, then expired by
   * DynamoDB's TTL. Frequency caps and `tailor explain` read back no further than this.
   * @default 400
   */
  readonly ledgerRetentionDays?: number;
  /**
   * Days an audit entry (consent change, erasure, export) is kept after its time.
   * @default 1095 (three years)
   */
  readonly auditRetentionDays?: number;
  /** Days a timer that never fired is kept past its due time. @default 30 */
  readonly timerGraceDays?: number;
  /**
   * Days an object of the raw event archive (S3) is kept after it was written, then expired by the bucket's
   * lifecycle: how far back `tailor replay` and training can read.
   * @default 400
   */
  readonly archiveRetentionDays?: number;
}

/** The retentions, checked and complete, in days. */
export interface RetentionSettings {
  readonly ledgerRetentionDays: number;
  readonly auditRetentionDays: number;
  readonly timerGraceDays: number;
  readonly archiveRetentionDays: number;
}

/** The context keys read, the same names as the props. */
export const RETENTION_CONTEXT_KEYS = [
  "ledgerRetentionDays",
  "auditRetentionDays",
  "timerGraceDays",
  "archiveRetentionDays",
] as const;

/** Days the raw event archive is kept by default: as long as the send ledger, a year and a month. */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = 400;

/** Bounds of each setting: at least a day (or what the reads need), at most ten years. */
const BOUNDS: Record<(typeof RETENTION_CONTEXT_KEYS)[number], { min: number; default: number }> = {
  ledgerRetentionDays: { min: 1, default: DEFAULT_LEDGER_RETENTION_DAYS },
  auditRetentionDays: { min: 1, default: DEFAULT_AUDIT_RETENTION_DAYS },
  timerGraceDays: { min: 1, default: DEFAULT_TIMER_GRACE_DAYS },
  archiveRetentionDays: { min: 1, default: DEFAULT_ARCHIVE_RETENTION_DAYS },
};
const MAX_DAYS = 3650;

/**
 * The retentions: each from the props, else the CDK context of `node`, else its default. Throws
 * {@link InfraConfigError} naming the setting, the rule and an example on anything but a whole number of days in
 * range.
 */
export function resolveRetentionSettings(input: RetentionSettingsInput, node: Node): RetentionSettings {
  const resolve = (key: (typeof RETENTION_CONTEXT_KEYS)[number]): number => {
    const { min, default: fallback } = BOUNDS[key];
    const raw: unknown = input[key] ?? node.tryGetContext(key) ?? fallback;
    const parsed = z.coerce.number().int().min(min).max(MAX_DAYS).safeParse(raw);
    if (!parsed.success || raw === "" || typeof raw === "boolean") {
      throw new InfraConfigError(
        `${key} must be a whole number of days from ${min} to ${MAX_DAYS} (e.g. -c ${key}=${fallback}), ` +
          `got ${JSON.stringify(raw)}`,
      );
    }
    return parsed.data;
  };
  return {
    ledgerRetentionDays: resolve("ledgerRetentionDays"),
    auditRetentionDays: resolve("auditRetentionDays"),
    timerGraceDays: resolve("timerGraceDays"),
    archiveRetentionDays: resolve("archiveRetentionDays"),
  };
}

/** Which items a function writes, so which retentions it is given. */
export type RetainedItems = "ledger" | "audit" | "timers";

const VARIABLES: Record<RetainedItems, readonly [string, keyof RetentionSettings]> = {
  ledger: ["LEDGER_RETENTION_DAYS", "ledgerRetentionDays"],
  audit: ["AUDIT_RETENTION_DAYS", "auditRetentionDays"],
  timers: ["TIMER_GRACE_DAYS", "timerGraceDays"],
};

/**
 * The environment variables that tell a function writing `items` how long they are kept (the adapters write
 * each item's `ttl` from them); none without settings (the adapters' defaults, the same as the settings').
 */
export function retentionEnvironment(
  settings: RetentionSettings | undefined,
  ...items: readonly RetainedItems[]
): Record<string, string> {
  if (settings === undefined) return {};
  return Object.fromEntries(
    items.map((kind) => {
      const [variable, setting] = VARIABLES[kind];
      return [variable, String(settings[setting])];
    }),
  );
}
