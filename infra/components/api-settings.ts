import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";

/** How the HTTP API runs: stack props, else CDK context (`-c key=value`), else defaults. */
export interface ApiSettingsInput {
  /**
   * Instances reserved for the API function, and the most it runs at once (e.g. 20: a flood on the public
   * pages is then throttled there instead of starving ingest and dispatch). Off by default: reserving fails
   * the stack's creation in an account whose concurrency quota is low (new accounts may have 10, and Lambda
   * keeps 100 unreserved).
   * @default "none" - nothing reserved
   */
  readonly apiReservedConcurrency?: number | "none";
  /**
   * Origins browsers may send Segment calls from (CORS on the Segment routes): `"*"` for any (never with
   * credentials), else exact origins such as `https://shop.example.com`; in the context, comma-separated.
   * @default "*"
   */
  readonly apiCorsOrigins?: string;
  /**
   * Seconds a browser may keep an on-site content answer (`GET /v1/content/{slot}`, `cache-control: private,
   * max-age`), 0 to 3600.
   * @default 30
   */
  readonly contentMaxAgeSeconds?: number;
}

/** The context keys read, the same names as the props. */
export const API_CONTEXT_KEYS = ["apiReservedConcurrency", "apiCorsOrigins", "contentMaxAgeSeconds"] as const;

/** The default of {@link ApiSettingsInput.contentMaxAgeSeconds}. */
export const CONTENT_MAX_AGE_DEFAULT_SECONDS = 30;

/**
 * Seconds on-site content answers may be kept: from the props, else the CDK context, else 30. Throws
 * {@link InfraConfigError} naming the setting for anything but a whole number of seconds from 0 to 3600.
 */
export function resolveContentMaxAgeSeconds(input: ApiSettingsInput, node: Node): number {
  const raw: unknown =
    input.contentMaxAgeSeconds ??
    node.tryGetContext("contentMaxAgeSeconds") ??
    CONTENT_MAX_AGE_DEFAULT_SECONDS;
  const value = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 3600) {
    throw new InfraConfigError(
      `contentMaxAgeSeconds must be a whole number of seconds from 0 to 3600 (e.g. -c contentMaxAgeSeconds=30), got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

const ORIGIN = /^https?:\/\/[^/\s,]+$/;

/**
 * The origins the Segment routes allow, as the API function's `CORS_ALLOWED_ORIGINS`: from the props, else the
 * CDK context, else `*`. Throws {@link InfraConfigError} on an origin that is not `scheme://host[:port]`.
 */
export function resolveApiCorsOrigins(input: ApiSettingsInput, node: Node): string {
  const raw: unknown = input.apiCorsOrigins ?? node.tryGetContext("apiCorsOrigins") ?? "*";
  const text = typeof raw === "string" ? raw.trim() : "";
  if (text === "*") return text;
  const origins = text.split(",").map((origin) => origin.trim());
  if (text === "" || !origins.every((origin) => ORIGIN.test(origin))) {
    throw new InfraConfigError(
      `apiCorsOrigins must be "*" or comma-separated origins such as https://shop.example.com, got ${JSON.stringify(raw)}`,
    );
  }
  return origins.join(",");
}

const reservedSchema = z.union([z.literal("none"), z.coerce.number().int().min(1).max(1000)]);

/**
 * The API function's reserved concurrency: from the props, else the CDK context of `node`, else none; `"none"`
 * gives `undefined` (no reservation). Throws {@link InfraConfigError} on anything else.
 */
export function resolveApiReservedConcurrency(input: ApiSettingsInput, node: Node): number | undefined {
  const raw: unknown = input.apiReservedConcurrency ?? node.tryGetContext("apiReservedConcurrency") ?? "none";
  const parsed = reservedSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InfraConfigError(
      `apiReservedConcurrency must be an integer from 1 to 1000 or "none", got ${JSON.stringify(raw)}`,
    );
  }
  return parsed.data === "none" ? undefined : parsed.data;
}
