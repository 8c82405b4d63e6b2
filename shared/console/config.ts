/**
 * What the console's page learns at start from `config.json`, served next to it: where the admin API is and how
 * the operator signs in. Locally (`tailor up`) the console is on loopback and signs no one in; on AWS it is a
 * static site whose `config.json` the stack writes, with the Cognito user pool's OpenID Connect settings.
 */
export type ConsoleConfig = {
  /** The admin API's base URL, no trailing slash; `""` when it is served from the console's own origin. */
  readonly apiUrl: string;
  readonly auth: ConsoleAuthConfig;
};

/** How the console signs its operator in. */
export type ConsoleAuthConfig =
  | { readonly kind: "none" }
  | {
      readonly kind: "oidc";
      /** The issuer, e.g. `https://cognito-idp.<region>.amazonaws.com/<user pool id>`. */
      readonly authority: string;
      readonly clientId: string;
      /** Where the identity provider sends the browser back (the console's own URL). */
      readonly redirectUri: string;
      /** Space-separated scopes, e.g. `openid email profile`. */
      readonly scope: string;
      /** The hosted sign-in domain's logout endpoint, when the provider needs one (Cognito does). */
      readonly logoutUri?: string;
    };
