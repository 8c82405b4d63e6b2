/**
 * The console's sign-in with the real oidc-client-ts against a small OpenID provider on loopback (discovery,
 * authorize, token): the authorization code flow with PKCE, as Cognito's hosted UI runs it. The browser is a
 * stand-in `window` (address bar, session storage).
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createOidcAuth, type OidcConfig } from "#shared/console/oidc-auth.js";

const CONSOLE = "https://d111.cloudfront.net/";
let server: Server;
let issuer = "";
/** What the provider saw: the authorize request's PKCE challenge, the token request's form. */
const seen: { challenge?: string; method?: string; tokenForm?: URLSearchParams } = {};

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString("base64url");
}

/** An ID token as Cognito's, unsigned (the page never verifies it; the API's authorizer does). */
function idToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    aud: "console-client",
    sub: "3f1c-operator",
    email: "ops@shop.example",
    "cognito:groups": ["tailor-viewers"],
    token_use: "id",
    iat: now,
    exp: now + 3600,
  };
  return `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url(JSON.stringify(claims))}.`;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", issuer);
    if (url.pathname === "/.well-known/openid-configuration") {
      response.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
      response.end(
        JSON.stringify({
          issuer,
          authorization_endpoint: `${issuer}/oauth2/authorize`,
          token_endpoint: `${issuer}/oauth2/token`,
          jwks_uri: `${issuer}/jwks.json`,
          response_types_supported: ["code"],
        }),
      );
      return;
    }
    if (url.pathname === "/oauth2/token" && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += String(chunk);
      seen.tokenForm = new URLSearchParams(body);
      const verifier = seen.tokenForm.get("code_verifier") ?? "";
      const matches = base64url(createHash("sha256").update(verifier).digest()) === seen.challenge;
      response.writeHead(matches ? 200 : 400, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          matches
            ? {
                id_token: idToken(),
                access_token: "access",
                refresh_token: "refresh",
                token_type: "Bearer",
                expires_in: 3600,
              }
            : { error: "invalid_grant" },
        ),
      );
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  issuer = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await new Promise((resolve) => server.close(resolve));
});

/** Storage as the browser's session storage behaves. */
class MemoryStorage {
  readonly #items = new Map<string, string>();
  get length() {
    return this.#items.size;
  }
  key(index: number) {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string) {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.#items.set(key, value);
  }
  removeItem(key: string) {
    this.#items.delete(key);
  }
  clear() {
    this.#items.clear();
  }
}

describe("the console's sign-in against an OpenID provider", () => {
  it("signs in with the code flow and PKCE (S256), keeps the tokens in session storage and sends the ID token", async () => {
    // GIVEN a browser on a customer's page of the console, signed out
    const navigations: string[] = [];
    const sessionStorage = new MemoryStorage();
    const location = {
      href: `${CONSOLE}customers/c-42`,
      assign: (url: string) => navigations.push(url),
      replace: (url: string) => navigations.push(url),
    };
    const browser: Record<string, unknown> = {
      location,
      sessionStorage,
      localStorage: new MemoryStorage(),
      crypto: globalThis.crypto,
      history: { replaceState: (_data: unknown, _title: string, url: string) => (location.href = url) },
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    };
    browser.self = browser;
    vi.stubGlobal("window", browser);
    const config: OidcConfig = {
      kind: "oidc",
      authority: issuer,
      clientId: "console-client",
      redirectUri: CONSOLE,
      scope: "openid email profile",
    };
    // WHEN the page first needs a token: the browser goes to the provider's authorize endpoint
    const first = createOidcAuth(config);
    void first.headers();
    await vi.waitFor(() => expect(navigations).toHaveLength(1), { timeout: 5000 });
    const authorize = new URL(navigations[0] ?? "");
    expect(authorize.origin + authorize.pathname).toBe(`${issuer}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: "console-client",
      redirect_uri: CONSOLE,
      response_type: "code",
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    seen.challenge = authorize.searchParams.get("code_challenge") ?? undefined;
    expect(seen.challenge).toMatch(/^[\w-]{43}$/);

    // AND the provider sends it back with a code: a new page load completes the sign-in
    location.href = `${CONSOLE}?code=the-code&state=${authorize.searchParams.get("state")}`;
    const back = createOidcAuth(config);
    const headers = await back.headers();
    // THEN the code was exchanged with the verifier, the ID token goes with each call, the operator is named,
    // the address bar is back on the page they were on, and the tokens are in session storage only
    expect(seen.tokenForm?.get("grant_type")).toBe("authorization_code");
    expect(seen.tokenForm?.get("code")).toBe("the-code");
    expect(headers.authorization).toMatch(/^Bearer eyJ/);
    expect(await back.user()).toBe("ops@shop.example");
    expect(location.href).toBe(`${CONSOLE}customers/c-42`);
    const stored = Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i) ?? "");
    expect(stored.some((key) => key.startsWith("oidc.user:"))).toBe(true);
  });
});
