import type { Node } from "constructs";
import { z } from "zod";
import { InfraConfigError } from "./infra-config-error.js";

/** Settings of the catalog, as props or CDK context (`-c catalogCacheSeconds=120`). */
export interface CatalogSettingsInput {
  /**
   * How old (in seconds, 0 to 3600) a product or a best-seller list dispatch read from the catalog table may be
   * when it renders an email: a price or stock change reaches emails within this time. 0 reads the table for
   * every batch.
   * @default 300
   */
  readonly catalogCacheSeconds?: number;
  /**
   * The share of the catalog (0 to 1) one feed import may retire; a feed missing more is taken for truncated
   * and retires nothing (the import's log says so).
   * @default 0.5
   */
  readonly catalogMaxRetireShare?: number;
}

/** The settings' context keys, for the one list of known keys. */
export const CATALOG_CONTEXT_KEYS = ["catalogCacheSeconds", "catalogMaxRetireShare"] as const;

/** The resolved catalog settings. */
export interface CatalogSettings {
  readonly cacheSeconds: number;
  readonly maxRetireShare: number;
}

/**
 * The catalog settings: each from the props, else the CDK context of `node`, else its default. Throws
 * {@link InfraConfigError} naming the setting, the rule and an example.
 */
export function resolveCatalogSettings(input: CatalogSettingsInput, node: Node): CatalogSettings {
  const read = (
    key: keyof CatalogSettingsInput,
    fallback: number,
    schema: z.ZodNumber,
    rule: string,
    example: string,
  ) => {
    const raw: unknown = input[key] ?? node.tryGetContext(key) ?? fallback;
    const parsed = z.coerce.number().pipe(schema).safeParse(raw);
    if (!parsed.success || raw === "" || typeof raw === "boolean") {
      throw new InfraConfigError(
        `${key} must be ${rule} (e.g. -c ${key}=${example}), got ${JSON.stringify(raw)}`,
      );
    }
    return parsed.data;
  };
  return {
    cacheSeconds: read(
      "catalogCacheSeconds",
      300,
      z.number().int().min(0).max(3600),
      "a whole number of seconds from 0 to 3600",
      "120",
    ),
    maxRetireShare: read(
      "catalogMaxRetireShare",
      0.5,
      z.number().min(0).max(1),
      "a share from 0 to 1",
      "0.8",
    ),
  };
}
