import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";

/** The API function's concurrency reserved by default: enough for the pages and admin calls, no more. */
export const DEFAULT_API_RESERVED_CONCURRENCY = 20;

/** How the HTTP API runs: stack props, else CDK context (`-c key=value`), else defaults. */
export interface ApiSettingsInput {
  /**
   * Instances reserved for the API function, and the most it runs at once; `"none"` reserves nothing, for an
   * account whose concurrency quota is too low to reserve any (Lambda keeps a minimum unreserved).
   * @default 20
   */
  readonly apiReservedConcurrency?: number | "none";
}

/** The context keys read, the same names as the props. */
export const API_CONTEXT_KEYS = ["apiReservedConcurrency"] as const;

const reservedSchema = z.union([z.literal("none"), z.coerce.number().int().min(1).max(1000)]);

/**
 * The API function's reserved concurrency: from the props, else the CDK context of `node`, else 20; `"none"`
 * gives `undefined` (no reservation). Throws {@link InfraConfigError} on anything else.
 */
export function resolveApiReservedConcurrency(input: ApiSettingsInput, node: Node): number | undefined {
  const raw: unknown =
    input.apiReservedConcurrency ??
    node.tryGetContext("apiReservedConcurrency") ??
    DEFAULT_API_RESERVED_CONCURRENCY;
  const parsed = reservedSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InfraConfigError(
      `apiReservedConcurrency must be an integer from 1 to 1000 or "none", got ${JSON.stringify(raw)}`,
    );
  }
  return parsed.data === "none" ? undefined : parsed.data;
}
