import type { Node } from "constructs";
import { z } from "zod";
import { DEFAULT_LINK_KEY_GRACE_DAYS, LINK_LIFETIME_DAYS } from "#shared/render/link-keys.js";
import { InfraConfigError } from "./infra-config-error.js";

/** The link keys: stack props, else CDK context (`-c key=value`), else defaults. */
export interface LinkKeySettingsInput {
  /**
   * Days a retired link key keeps verifying after `tailor links rotate` retired it: at least the links' own
   * lifetime (60 days), so that every link signed before a rotation works until it expires by itself.
   * @default 90
   */
  readonly linkKeyGraceDays?: number;
}

/** The link key settings, checked and complete. */
export interface LinkKeySettings {
  readonly graceDays: number;
}

/** The context keys read, the same names as the props. */
export const LINK_KEY_CONTEXT_KEYS = ["linkKeyGraceDays"] as const;

const MAX_GRACE_DAYS = 3650;

/**
 * The link key settings of the props, else the context of `node`, else the defaults. Throws
 * {@link InfraConfigError} naming the setting, the rule and an example.
 */
export function resolveLinkKeySettings(input: LinkKeySettingsInput, node: Node): LinkKeySettings {
  const rawGrace: unknown =
    input.linkKeyGraceDays ?? node.tryGetContext("linkKeyGraceDays") ?? DEFAULT_LINK_KEY_GRACE_DAYS;
  const grace = z.coerce.number().int().min(LINK_LIFETIME_DAYS).max(MAX_GRACE_DAYS).safeParse(rawGrace);
  if (!grace.success || rawGrace === "" || typeof rawGrace === "boolean") {
    throw new InfraConfigError(
      `linkKeyGraceDays must be a whole number of days from ${LINK_LIFETIME_DAYS} (the links' own lifetime) to ` +
        `${MAX_GRACE_DAYS} (e.g. -c linkKeyGraceDays=${DEFAULT_LINK_KEY_GRACE_DAYS}), got ${JSON.stringify(rawGrace)}`,
    );
  }
  return { graceDays: grace.data };
}
