import type { Node } from "constructs";
import { InfraConfigError } from "./infra-config-error.js";

/** The fan-out settings: stack props, else CDK context (`-c fanOutMaxConcurrency=200`), else defaults. */
export interface FanOutSettingsInput {
  /**
   * Parts of a scheduled campaign's audience read at once (the map's concurrency, 1 to 1000); context
   * `fanOutMaxConcurrency`.
   * @default 100
   */
  readonly fanOutMaxConcurrency?: number;
  /**
   * Profiles one part reads at most (1,000 to 10,000,000): the table's item count / this = parts (at most
   * 1,000); context `fanOutProfilesPerPart`.
   * @default 50,000
   */
  readonly fanOutProfilesPerPart?: number;
}

/** The context keys read, the same names as the props. */
export const FANOUT_CONTEXT_KEYS = ["fanOutMaxConcurrency", "fanOutProfilesPerPart"] as const;

/** The fan-out settings, resolved and checked. */
export interface FanOutSettings {
  readonly maxConcurrency: number;
  readonly profilesPerPart: number;
}

export const DEFAULT_FANOUT_MAX_CONCURRENCY = 100;
export const DEFAULT_FANOUT_PROFILES_PER_PART = 50_000;

function wholeNumber(
  node: Node,
  key: (typeof FANOUT_CONTEXT_KEYS)[number],
  given: number | undefined,
  bounds: { readonly min: number; readonly max: number; readonly fallback: number; readonly example: number },
): number {
  const raw: unknown = given ?? node.tryGetContext(key) ?? bounds.fallback;
  const value = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw new InfraConfigError(
      `${key} must be a whole number from ${bounds.min} to ${bounds.max} (e.g. -c ${key}=${bounds.example}), not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** Resolves the fan-out settings from the props, else the CDK context of `node`, else the defaults. */
export function resolveFanOutSettings(input: FanOutSettingsInput, node: Node): FanOutSettings {
  return {
    maxConcurrency: wholeNumber(node, "fanOutMaxConcurrency", input.fanOutMaxConcurrency, {
      min: 1,
      max: 1000,
      fallback: DEFAULT_FANOUT_MAX_CONCURRENCY,
      example: 200,
    }),
    profilesPerPart: wholeNumber(node, "fanOutProfilesPerPart", input.fanOutProfilesPerPart, {
      min: 1000,
      max: 10_000_000,
      fallback: DEFAULT_FANOUT_PROFILES_PER_PART,
      example: 100_000,
    }),
  };
}
