import { type ConsoleAuth, noAuth } from "./auth.js";
import type { ConsoleConfig } from "./config.js";

/** The console's configuration asks for a sign-in this build cannot do. */
export class ConsoleAuthError extends Error {
  override readonly name = "ConsoleAuthError";
}

/**
 * The sign-in of `config.auth`: none on loopback (`tailor up`). OpenID Connect (Cognito on AWS) is not built in
 * yet: a clear error instead of a console that calls the API unsigned.
 */
export async function createAuth(config: ConsoleConfig): Promise<ConsoleAuth> {
  switch (config.auth.kind) {
    case "none":
      return noAuth;
    case "oidc":
      throw new ConsoleAuthError(
        `config.json auth.kind "oidc" (issuer ${config.auth.authority}): sign-in is not available in this build`,
      );
  }
}
