import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { makeDispatchDeps } from "#functions/dispatch/make-deps.js";
import { EnvironmentError, loadEnv } from "#shared/lambda/env.js";
import { RenderConfigError } from "#shared/render/index.js";
import { dispatchTestEnv } from "../support/dispatch-env.js";

const dir = mkdtempSync(path.join(tmpdir(), "tailor-dispatch-templates-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tables = { profiles: "profiles", ledger: "ledger", timers: "timers" };

describe("dispatch's templates: compiled at build time, never at cold start", () => {
  it("requires TEMPLATES_FILE in its environment", async () => {
    const { TEMPLATES_FILE: _, ...withoutFile } = await dispatchTestEnv(dir, tables);
    expect(() => loadEnv(dispatchEnvSchema, withoutFile)).toThrow(/TEMPLATES_FILE/);
  });

  it("fails its cold start naming TEMPLATES_FILE when the file is missing, instead of compiling MJML", async () => {
    const env = loadEnv(dispatchEnvSchema, {
      ...(await dispatchTestEnv(dir, tables)),
      TEMPLATES_FILE: path.join(dir, "nowhere.json"),
    });
    const made = makeDispatchDeps(env, { now: () => 0 });
    await expect(made).rejects.toThrow(EnvironmentError);
    await expect(made).rejects.toThrow(/^TEMPLATES_FILE: cannot read the compiled templates .*nowhere\.json/);
  });

  it("fails its cold start naming the file when it holds something else", async () => {
    const file = path.join(dir, "not-templates.json");
    writeFileSync(file, JSON.stringify({ format: 1, templates: "none" }));
    const env = loadEnv(dispatchEnvSchema, { ...(await dispatchTestEnv(dir, tables)), TEMPLATES_FILE: file });
    const made = makeDispatchDeps(env, { now: () => 0 });
    await expect(made).rejects.toThrow(RenderConfigError);
    await expect(made).rejects.toThrow(
      /not-templates\.json is not a compiled templates file of format 1: templates:/,
    );
  });

  it("starts on the compiled file alone", async () => {
    const env = loadEnv(dispatchEnvSchema, await dispatchTestEnv(dir, tables));
    const deps = await makeDispatchDeps(env, { now: () => 0 });
    expect(deps.renderer).toBeDefined();
  });

  it("ships the SMS templates in the compiled file and has the SMS channel only when SMS is on", async () => {
    const base = await dispatchTestEnv(dir, tables);
    const off = await makeDispatchDeps(loadEnv(dispatchEnvSchema, base), { now: () => 0 });
    expect(off.sms).toBeUndefined();
    const on = await makeDispatchDeps(
      loadEnv(dispatchEnvSchema, {
        ...base,
        SMS_ORIGINATION_IDENTITY: "+15555550100",
        SMS_CONFIGURATION_SET: "tailor-sms",
      }),
      { now: () => 0 },
    );
    const rendered = on.sms?.renderer.render("cart-reminder", {
      shop: { name: "Shop", url: "https://shop.example" },
      customer: { first_name: "Ada" },
    });
    expect(rendered?.ok).toBe(true);
    expect(rendered?.ok === true ? rendered.sms.body : "").toMatch(/^Shop: Ada,/);
    expect(on.sms?.recipients).toBeDefined();
  });

  it("refuses half the SMS settings, naming both", async () => {
    const env = { ...(await dispatchTestEnv(dir, tables)), SMS_ORIGINATION_IDENTITY: "+15555550100" };
    expect(() => loadEnv(dispatchEnvSchema, env)).toThrow(
      /SMS_ORIGINATION_IDENTITY and SMS_CONFIGURATION_SET/,
    );
  });
});
