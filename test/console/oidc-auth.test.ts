import { User } from "oidc-client-ts";
import { describe, expect, it } from "vitest";
import {
  ConsoleSignInError,
  createOidcAuth,
  type OidcConfig,
  type OidcPage,
  type OidcUserManager,
} from "#shared/console/oidc-auth.js";

const CONFIG: OidcConfig = {
  kind: "oidc",
  authority: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example",
  clientId: "console-client",
  redirectUri: "https://d111.cloudfront.net/",
  scope: "openid email profile",
  logoutUri: "https://shop-ops.auth.eu-west-1.amazoncognito.com/logout",
};

/** A user as oidc-client-ts keeps it, expiring in `seconds`. */
function userWith(token: string, seconds: number, extra: { refresh?: string; urlState?: string } = {}): User {
  return new User({
    id_token: token,
    access_token: `access-${token}`,
    token_type: "Bearer",
    scope: CONFIG.scope,
    profile: {
      sub: "3f1c-operator",
      email: "ops@shop.example",
      iss: CONFIG.authority,
      aud: CONFIG.clientId,
      exp: 0,
      iat: 0,
    },
    expires_at: Math.floor(Date.now() / 1000) + seconds,
    ...(extra.refresh === undefined ? {} : { refresh_token: extra.refresh }),
    ...(extra.urlState === undefined ? {} : { url_state: extra.urlState }),
  });
}

/** A UserManager that records its calls: the session's user, what a callback and a silent renewal give. */
class FakeManager implements OidcUserManager {
  stored: User | null = null;
  callbackUser: User | Error = new Error("no callback expected");
  renewed: User | Error = new Error("no refresh token grant expected");
  readonly calls: string[] = [];
  readonly redirects: { url_state?: string }[] = [];
  readonly signouts: { extraQueryParams?: Record<string, string> }[] = [];

  async getUser() {
    this.calls.push("getUser");
    return this.stored;
  }
  async signinRedirect(args: { url_state?: string } = {}) {
    this.calls.push("signinRedirect");
    this.redirects.push(args);
  }
  async signinRedirectCallback(url?: string) {
    this.calls.push(`signinRedirectCallback ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (this.callbackUser instanceof Error) throw this.callbackUser;
    this.stored = this.callbackUser;
    return this.callbackUser;
  }
  async signinSilent() {
    this.calls.push("signinSilent");
    if (this.renewed instanceof Error) throw this.renewed;
    this.stored = this.renewed;
    return this.renewed;
  }
  async removeUser() {
    this.calls.push("removeUser");
    this.stored = null;
  }
  async signoutRedirect(args: { extraQueryParams?: Record<string, string> } = {}) {
    this.calls.push("signoutRedirect");
    this.signouts.push(args);
  }
}

/** An address bar at `href`, recording replacements. */
function pageAt(href: string): OidcPage & { current: string; replaced: string[] } {
  const page = {
    current: href,
    replaced: [] as string[],
    href: () => page.current,
    replaceUrl(url: string) {
      page.replaced.push(url);
      page.current = url;
    },
  };
  return page;
}

/** Whether `promise` settles within a few ticks (a redirect leaves it pending for good). */
async function settles(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol("pending");
  const outcome = await Promise.race([
    promise.then(
      () => "settled",
      () => "settled",
    ),
    new Promise((resolve) => setTimeout(() => resolve(pending), 50)),
  ]);
  return outcome !== pending;
}

describe("the console's OpenID Connect sign-in", () => {
  it("sends an operator without a session to sign in, remembering the page they were on", async () => {
    // GIVEN no tokens in the session, on a customer's page
    const manager = new FakeManager();
    const auth = createOidcAuth(CONFIG, {
      userManager: manager,
      page: pageAt("https://d111.cloudfront.net/customers/c-42?tab=consent"),
    });
    // WHEN the page asks for the headers of an admin call
    const headers = auth.headers();
    // THEN the browser leaves for the hosted sign-in, and no call goes out meanwhile
    expect(await settles(headers)).toBe(false);
    expect(manager.redirects).toEqual([{ url_state: "/customers/c-42?tab=consent" }]);
  });

  it("completes the callback once for concurrent calls, cleans the address bar and sends the ID token", async () => {
    // GIVEN the hosted sign-in sent the browser back with a code
    const manager = new FakeManager();
    manager.callbackUser = userWith("id-token-1", 3600, { urlState: "/customers/c-42?tab=consent" });
    const page = pageAt("https://d111.cloudfront.net/?code=abc&state=xyz");
    const auth = createOidcAuth(CONFIG, { userManager: manager, page });
    // WHEN the page makes two calls at once
    const [first, second] = await Promise.all([auth.headers(), auth.headers()]);
    // THEN the code is exchanged once, both calls carry the ID token, and the operator is back where they were
    expect(manager.calls.filter((call) => call.startsWith("signinRedirectCallback"))).toEqual([
      "signinRedirectCallback https://d111.cloudfront.net/?code=abc&state=xyz",
    ]);
    expect(first).toEqual({ authorization: "Bearer id-token-1" });
    expect(second).toEqual(first);
    expect(page.current).toBe("https://d111.cloudfront.net/customers/c-42?tab=consent");
    expect(await auth.user()).toBe("ops@shop.example");
    expect(manager.redirects).toEqual([]);
  });

  it("uses the session's tokens while they are fresh", async () => {
    const manager = new FakeManager();
    manager.stored = userWith("id-token-2", 1800);
    const auth = createOidcAuth(CONFIG, {
      userManager: manager,
      page: pageAt("https://d111.cloudfront.net/"),
    });
    expect(await auth.headers()).toEqual({ authorization: "Bearer id-token-2" });
    expect(manager.calls).toEqual(["getUser"]);
  });

  it("renews tokens about to expire with the refresh token instead of signing in again", async () => {
    // GIVEN an ID token with 30 s left and a refresh token
    const manager = new FakeManager();
    manager.stored = userWith("old", 30, { refresh: "refresh-1" });
    manager.renewed = userWith("renewed", 3600, { refresh: "refresh-1" });
    const auth = createOidcAuth(CONFIG, {
      userManager: manager,
      page: pageAt("https://d111.cloudfront.net/"),
    });
    // THEN the call carries the renewed token, without leaving the page
    expect(await auth.headers()).toEqual({ authorization: "Bearer renewed" });
    expect(manager.calls).toEqual(["getUser", "signinSilent"]);
  });

  it("signs in again when the refresh fails (the refresh token expired or was revoked)", async () => {
    const manager = new FakeManager();
    manager.stored = userWith("old", -10, { refresh: "revoked" });
    manager.renewed = new Error("invalid_grant");
    const auth = createOidcAuth(CONFIG, {
      userManager: manager,
      page: pageAt("https://d111.cloudfront.net/segments"),
    });
    expect(await settles(auth.headers())).toBe(false);
    expect(manager.calls).toEqual(["getUser", "signinSilent", "removeUser", "signinRedirect"]);
    expect(manager.redirects).toEqual([{ url_state: "/segments" }]);
  });

  it("reports a refused sign-in with the provider's reason and cleans the address bar", async () => {
    const manager = new FakeManager();
    manager.callbackUser = new Error("access_denied");
    const page = pageAt(
      "https://d111.cloudfront.net/?error=access_denied&error_description=User+is+disabled&state=xyz",
    );
    const auth = createOidcAuth(CONFIG, { userManager: manager, page });
    const failure = auth.headers();
    await expect(failure).rejects.toBeInstanceOf(ConsoleSignInError);
    await expect(failure).rejects.toThrow("sign-in failed: User is disabled");
    expect(page.current).toBe("https://d111.cloudfront.net/");
  });

  it("signs out by forgetting the tokens and leaving through Cognito's logout, back to the console", async () => {
    const manager = new FakeManager();
    manager.stored = userWith("id-token-3", 3600);
    const auth = createOidcAuth(CONFIG, {
      userManager: manager,
      page: pageAt("https://d111.cloudfront.net/"),
    });
    await auth.signOut();
    expect(manager.stored).toBeNull();
    expect(manager.calls).toEqual(["removeUser", "signoutRedirect"]);
    expect(manager.signouts).toEqual([{ extraQueryParams: { logout_uri: CONFIG.redirectUri } }]);
  });
});
