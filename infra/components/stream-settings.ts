import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";

/** The stream's capacity modes (see docs/deploy.md for what each costs). */
export const STREAM_MODES = ["provisioned", "on-demand"] as const;
export type StreamModeSetting = (typeof STREAM_MODES)[number];

/** Settings of the event stream, as props or CDK context (`-c streamMode=on-demand`). */
export interface StreamSettingsInput {
  /**
   * `provisioned`: a fixed number of shards (`streamShards`), billed per shard-hour, each taking 1 MB/s or 1,000
   * records/s in; `on-demand`: Kinesis scales the shards with the traffic, billed per GB in and out plus a stream
   * hour.
   * @default provisioned
   */
  readonly streamMode?: StreamModeSetting;
  /** Shards of a provisioned stream, 1 to 500. @default 1 */
  readonly streamShards?: number;
  /**
   * How long records stay readable, in hours (24 to 8760): how long ingest may be broken before events are lost.
   * @default 24
   */
  readonly streamRetentionHours?: number;
}

/** The settings' context keys, for the one list of known keys. */
export const STREAM_CONTEXT_KEYS = ["streamMode", "streamShards", "streamRetentionHours"] as const;

/** The resolved stream settings. */
export interface StreamSettings {
  readonly mode: StreamModeSetting;
  /** Shards when provisioned; undefined on demand. */
  readonly shards: number | undefined;
  readonly retentionHours: number;
}

/**
 * The stream settings: each from the props, else the CDK context of `node`, else its default. Throws
 * {@link InfraConfigError} naming the setting, the rule and an example; `streamShards` with `on-demand` is refused.
 */
export function resolveStreamSettings(
  input: StreamSettingsInput & { shardCount?: number },
  node: Node,
): StreamSettings {
  const modeRaw: unknown = input.streamMode ?? node.tryGetContext("streamMode") ?? "provisioned";
  const mode = STREAM_MODES.find((known) => known === modeRaw);
  if (mode === undefined) {
    throw new InfraConfigError(
      `streamMode must be one of ${STREAM_MODES.join(", ")} (e.g. -c streamMode=on-demand), got ${JSON.stringify(modeRaw)}`,
    );
  }
  const number = (key: string, raw: unknown, min: number, max: number, example: number): number => {
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(raw);
    if (!parsed.success || raw === "" || typeof raw === "boolean") {
      throw new InfraConfigError(
        `${key} must be a whole number from ${min} to ${max} (e.g. -c ${key}=${example}), got ${JSON.stringify(raw)}`,
      );
    }
    return parsed.data;
  };
  const shardsRaw: unknown = input.streamShards ?? input.shardCount ?? node.tryGetContext("streamShards");
  if (mode === "on-demand" && shardsRaw !== undefined) {
    throw new InfraConfigError(
      "streamShards applies to a provisioned stream only: drop it, or -c streamMode=provisioned",
    );
  }
  const retentionRaw: unknown =
    input.streamRetentionHours ?? node.tryGetContext("streamRetentionHours") ?? 24;
  return {
    mode,
    shards: mode === "on-demand" ? undefined : number("streamShards", shardsRaw ?? 1, 1, 500, 4),
    retentionHours: number("streamRetentionHours", retentionRaw, 24, 8760, 168),
  };
}
