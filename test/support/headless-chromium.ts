import { existsSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";

/** The Debian chromium `.ci/run` installs. */
export const CHROMIUM = "/usr/bin/chromium";
/** Where browser tests write their screenshots. */
export const ARTIFACTS = path.resolve("test-artifacts");

/**
 * Whether Chromium is installed; when it is not, says loudly that the browser test `what` is skipped, not
 * passed, and how to install it.
 */
export function chromiumPresent(what: string): boolean {
  const present = existsSync(CHROMIUM);
  if (!present) {
    console.warn(
      `\n!!! ${CHROMIUM} is missing: the ${what} browser test is SKIPPED, not passed.\n` +
        "!!! Install it: apt-get update && apt-get install -y --no-install-recommends chromium\n",
    );
  }
  return present;
}

/** Headless Chromium, quiet: no sandbox (containers), no GPU, no background network or updates. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
