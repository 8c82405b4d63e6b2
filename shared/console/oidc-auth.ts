/// <reference lib="dom" />
import { type User, UserManager, WebStorageStateStore } from "oidc-client-ts";
import type { ConsoleAuth } from "./auth.js";
import type { ConsoleAuthConfig } from "./config.js";

/** The OpenID Connect settings of the console's `config.json`. */
export type OidcConfig = Extract<ConsoleAuthConfig, { kind: "oidc" }>;

/** What {@link createOidcAuth} uses of oidc-client-ts's `UserManager` (a fake stands in for it in tests). */
export interface OidcUserManager {
  getUser(): Promise<User | null>;
  signinRedirect(args?: { readonly url_state?: string }): Promise<void>;
  signinRedirectCallback(url?: string): Promise<User>;
  signinSilent(): Promise<User | null>;
  removeUser(): Promise<void>;
  signoutRedirect(args?: { readonly extraQueryParams?: Record<string, string> }): Promise<void>;
}

/** The page's address bar, as the sign-in reads and cleans it (the browser's `location` and `history`). */
export interface OidcPage {
  /** The current URL. */
  href(): string;
  /** Replaces the current URL without loading it (the callback's `code` and `state` leave the address bar). */
  replaceUrl(url: string): void;
}

/** Sign-in failed: the identity provider refused (its `error` is in the message) or the callback was invalid. */
export class ConsoleSignInError extends Error {
  override readonly name = "ConsoleSignInError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Seconds before its expiry at which a token is renewed rather than sent. */
const EXPIRY_MARGIN_SECONDS = 60;

/** The browser's page. */
const browserPage: OidcPage = {
  href: () => window.location.href,
  replaceUrl: (url) => window.history.replaceState(null, "", url),
};

/**
 * oidc-client-ts's `UserManager` for the console: authorization code with PKCE (oidc-client-ts's default for
 * `response_type: "code"`), the tokens in session storage (gone with the tab), renewed with the refresh token
 * before they expire; Cognito's logout endpoint, which its discovery document does not name, seeded.
 */
export function consoleUserManager(config: OidcConfig): UserManager {
  return new UserManager({
    authority: config.authority,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.redirectUri,
    response_type: "code",
    scope: config.scope,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    ...(config.logoutUri === undefined ? {} : { metadataSeed: { end_session_endpoint: config.logoutUri } }),
  });
}

/** Whether `url` is the identity provider sending the browser back (a `code` or an `error`, and the `state`). */
function isCallback(url: URL): boolean {
  return url.searchParams.has("state") && (url.searchParams.has("code") || url.searchParams.has("error"));
}

/** `url` without the callback's parameters. */
function withoutCallback(url: URL): string {
  const clean = new URL(url.href);
  for (const name of ["code", "state", "error", "error_description", "session_state", "iss"]) {
    clean.searchParams.delete(name);
  }
  return clean.href;
}

/** `user` when it has an ID token that is not about to expire. */
function usable(user: User | null): User | undefined {
  return user !== null && user.id_token !== undefined && (user.expires_in ?? 0) > EXPIRY_MARGIN_SECONDS
    ? user
    : undefined;
}

/**
 * The console's sign-in on AWS (`auth.kind: "oidc"`): Cognito's hosted sign-in with the authorization code flow
 * and PKCE. The first call of `headers()` or `user()` completes a callback in the address bar (and cleans it, back
 * to the page the operator was on), else takes the session's tokens, renewing them with the refresh token when
 * they are about to expire, else sends the browser to sign in (the promise then never settles: the page leaves).
 * `headers()` gives `authorization: Bearer <ID token>`: the HTTP API's JWT authorizer checks it against the
 * app client, and the function reads the operator's email and groups from it. `signOut()` forgets the tokens
 * and leaves through the provider's logout.
 */
export function createOidcAuth(
  config: OidcConfig,
  options: { readonly userManager?: OidcUserManager; readonly page?: OidcPage } = {},
): ConsoleAuth {
  const manager = options.userManager ?? consoleUserManager(config);
  const page = options.page ?? browserPage;
  let pending: Promise<User> | undefined;

  async function signIn(): Promise<never> {
    const here = new URL(page.href());
    await manager.signinRedirect({ url_state: `${here.pathname}${here.search}${here.hash}` });
    // The browser is leaving for the sign-in page.
    return new Promise<never>(() => undefined);
  }

  async function completeCallback(url: URL): Promise<User> {
    try {
      const user = await manager.signinRedirectCallback(url.href);
      const back = user.url_state === undefined ? withoutCallback(url) : new URL(user.url_state, url).href;
      page.replaceUrl(back);
      return user;
    } catch (error) {
      page.replaceUrl(withoutCallback(url));
      const reason = url.searchParams.get("error_description") ?? url.searchParams.get("error");
      throw new ConsoleSignInError(
        `sign-in failed${reason === null ? "" : `: ${reason}`}; reload the page to sign in again`,
        { cause: error },
      );
    }
  }

  async function currentUser(): Promise<User> {
    const url = new URL(page.href());
    if (isCallback(url)) return completeCallback(url);
    const stored = await manager.getUser();
    const current = usable(stored);
    if (current !== undefined) return current;
    if (stored?.refresh_token !== undefined) {
      const renewed = usable(await manager.signinSilent().catch(() => null));
      if (renewed !== undefined) return renewed;
    }
    await manager.removeUser();
    return signIn();
  }

  async function signedIn(): Promise<User> {
    // Concurrent calls share one check (and one sign-in); the next call checks again (tokens expire).
    if (pending === undefined) {
      pending = currentUser().finally(() => {
        pending = undefined;
      });
    }
    return pending;
  }

  return {
    async headers() {
      const user = await signedIn();
      if (user.id_token === undefined) throw new ConsoleSignInError("the identity provider gave no ID token");
      return { authorization: `Bearer ${user.id_token}` };
    },
    async user() {
      const user = await signedIn();
      const email = user.profile.email;
      return typeof email === "string" && email !== "" ? email : user.profile.sub;
    },
    async signOut() {
      await manager.removeUser();
      // Cognito's /logout takes where to go back as `logout_uri`; with the tokens gone, oidc-client-ts adds the
      // `client_id` it also needs.
      await manager.signoutRedirect({ extraQueryParams: { logout_uri: config.redirectUri } });
    },
  };
}
