import { type ConsoleAuth, noAuth } from "./auth.js";
import type { ConsoleConfig } from "./config.js";
import { createOidcAuth } from "./oidc-auth.js";

/**
 * The sign-in of `config.auth`: none on loopback (`tailor up`), OpenID Connect with Cognito's hosted sign-in on
 * AWS (`createOidcAuth`).
 */
export async function createAuth(config: ConsoleConfig): Promise<ConsoleAuth> {
  switch (config.auth.kind) {
    case "none":
      return noAuth;
    case "oidc":
      return createOidcAuth(config.auth);
  }
}
