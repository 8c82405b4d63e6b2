import { z } from "zod";

/**
 * Where the HMAC secret of signed links (unsubscribe, preferences) comes from: a Secrets Manager secret on AWS,
 * a file on the local stack. Exactly one is set.
 */
export const linkSecretEnvShape = {
  /** ARN of the Secrets Manager secret holding the link signing key (at least 32 bytes). */
  LINK_SECRET_ARN: z.string().min(1).optional(),
  /** Path of a file holding the key (the local stack writes one under its data folder). */
  LINK_SECRET_FILE: z.string().min(1).optional(),
} as const;

/** Refines a schema that includes {@link linkSecretEnvShape}: exactly one source of the secret. */
export function oneLinkSecret(env: {
  LINK_SECRET_ARN?: string | undefined;
  LINK_SECRET_FILE?: string | undefined;
}): boolean {
  return (env.LINK_SECRET_ARN === undefined) !== (env.LINK_SECRET_FILE === undefined);
}

export const ONE_LINK_SECRET_MESSAGE = "set exactly one of LINK_SECRET_ARN and LINK_SECRET_FILE";

/**
 * Days a retired link key keeps verifying after its rotation (the stack's `linkKeyGraceDays`); the API reads it.
 * @default 90 (`DEFAULT_LINK_KEY_GRACE_DAYS`)
 */
export const linkKeyGraceEnvShape = {
  LINK_KEY_GRACE_DAYS: z.coerce.number().int().min(0).max(3650).optional(),
} as const;
