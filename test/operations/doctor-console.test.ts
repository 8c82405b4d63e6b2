import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { consoleChecks } from "#cli/doctor-console.js";

const STRICT_CSP = "default-src 'none'; script-src 'self'; frame-ancestors 'none'; object-src 'none'";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A console on loopback: the page with `pageHeaders`, the admin API answering `adminStatus`. */
async function consoleAt(pageHeaders: Record<string, string>, adminStatus: number): Promise<string> {
  server = createServer((request, response) => {
    const status = request.url?.startsWith("/v1/admin/") === true ? adminStatus : 200;
    response.writeHead(status, request.url === "/" ? pageHeaders : {});
    response.end(status === 200 ? "<!doctype html>" : "{}");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${(address satisfies AddressInfo).port}`;
}

describe("tailor doctor's console checks", () => {
  it("pass when the page has its strict CSP and HSTS and the admin API refuses calls without a token", async () => {
    const url = await consoleAt(
      { "content-security-policy": STRICT_CSP, "strict-transport-security": "max-age=63072000" },
      401,
    );
    const checks = await consoleChecks(url);
    expect(checks.map(({ id, ok }) => ({ id, ok }))).toEqual([
      { id: "console-page", ok: true },
      { id: "console-admin-auth", ok: true },
    ]);
  });

  it("fail, with the fix, when the admin API answers without sign-in or the headers are missing", async () => {
    const url = await consoleAt({}, 200);
    const [page, admin] = await consoleChecks(url);
    expect(page).toMatchObject({ ok: false, detail: expect.stringContaining("lacks script-src 'self'") });
    expect(admin).toMatchObject({ ok: false, detail: "without a token: HTTP 200" });
    expect(admin?.fix).toContain("JWT authorizer");
  });

  it("fail, naming the error, when the console cannot be reached", async () => {
    const url = await consoleAt({}, 401);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    const checks = await consoleChecks(url);
    expect(checks.every((check) => !check.ok && check.detail.startsWith("could not reach it"))).toBe(true);
  });
});
