import { type Check, errorText } from "./doctor-checks.js";

/** What the console's checks fetch with (the global `fetch`; tests give it a loopback server). */
export type ConsoleFetch = (
  url: string,
  init: { readonly method: "GET"; readonly redirect: "manual" },
) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}>;

/** The CSP directives the page must be served with (infra/components/console-site.ts). */
const REQUIRED_CSP = ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"];

async function fetched(
  fetcher: ConsoleFetch,
  url: string,
): Promise<{ ok: true; status: number; header: (name: string) => string } | { ok: false; error: unknown }> {
  try {
    const response = await fetcher(url, { method: "GET", redirect: "manual" });
    return { ok: true, status: response.status, header: (name) => response.headers.get(name) ?? "" };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * `tailor doctor`'s checks of the console on AWS (when the stack has a `ConsoleUrl` output): the page answers
 * over HTTPS with its strict CSP and HSTS, and the admin API, called through the console's origin without a
 * token, refuses (401 or 403): no customer data without signing in.
 */
export async function consoleChecks(consoleUrl: string, fetcher: ConsoleFetch = fetch): Promise<Check[]> {
  const base = consoleUrl.endsWith("/") ? consoleUrl : `${consoleUrl}/`;
  const [page, admin] = await Promise.all([
    fetched(fetcher, base),
    fetched(fetcher, `${base}v1/admin/customers?q=doctor`),
  ]);
  const pageHead = { id: "console-page", title: `console served at ${base} with its security headers` };
  const adminHead = { id: "console-admin-auth", title: "admin API refuses calls without sign-in" };
  const unreachable = (head: typeof pageHead, error: unknown): Check => ({
    ...head,
    ok: false,
    detail: `could not reach it: ${errorText(error)}`,
    fix: "check the network, then that the distribution is deployed and enabled (CloudFront console)",
  });
  const checks: Check[] = [];
  if (!page.ok) checks.push(unreachable(pageHead, page.error));
  else {
    const csp = page.header("content-security-policy");
    const missing = REQUIRED_CSP.filter((directive) => !csp.includes(directive));
    const hsts = page.header("strict-transport-security") !== "";
    const ok = page.status === 200 && missing.length === 0 && hsts;
    const detail = `HTTP ${page.status}; CSP ${missing.length === 0 ? "strict" : `lacks ${missing.join(", ")}`}; HSTS ${hsts ? "on" : "off"}`;
    checks.push(
      ok
        ? { ...pageHead, ok, detail }
        : {
            ...pageHead,
            ok,
            detail,
            fix:
              page.status === 200
                ? "redeploy with this version: the distribution's response headers policy sets them"
                : "redeploy (cdk deploy -c console=on): the page's deployment may have failed; see the stack's events",
          },
    );
  }
  if (!admin.ok) checks.push(unreachable(adminHead, admin.error));
  else {
    const ok = admin.status === 401 || admin.status === 403;
    const detail = `without a token: HTTP ${admin.status}`;
    checks.push(
      ok
        ? { ...adminHead, ok, detail }
        : {
            ...adminHead,
            ok,
            detail,
            fix: "redeploy with this version now: /v1/admin/* must sit behind the console's JWT authorizer (docs/console.md)",
          },
    );
  }
  return checks;
}
