import { parseArgs } from "node:util";
import { describe, expect, it } from "vitest";
import { reportError } from "#cli/cli-errors.js";
import { explainMissing } from "#cli/stack-access.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { DependencyUnavailableError } from "#shared/errors.js";

/** An error as Node's fs and the SDK make them: a message, and a code, path or name. */
function systemError(message: string, fields: Readonly<Record<string, string>>): Error {
  return Object.assign(new Error(message), fields);
}

describe("reportError", () => {
  it("says a missing file by its path, with the fix", () => {
    const error = systemError("ENOENT: no such file or directory, open 'ids.csv'", {
      code: "ENOENT",
      path: "ids.csv",
    });
    expect(reportError("segments", error)).toEqual({
      line: "tailor segments: no such file or folder: ids.csv — check the path (relative paths start in the current folder)",
      unexpected: false,
    });
  });

  it("says a data dir held by another stack (LevelDB's lock), found through the causes", () => {
    const lock = new Error(
      "IO error: lock /home/ada/.tailor/data/dynamodb/LOCK: Resource temporarily unavailable",
    );
    const report = reportError("up", new DependencyUnavailableError("could not open the tables", lock));
    expect(report).toEqual({
      line:
        "tailor up: /home/ada/.tailor/data is in use by another tailor stack — stop that stack (Ctrl-C in its " +
        "terminal), or give this one another --data-dir",
      unexpected: false,
    });
  });

  it("says a missing table with how to start the stack", () => {
    const missing = systemError("Cannot do operations on a non-existent table", {
      name: "ResourceNotFoundException",
    });
    expect(reportError("audit", missing).line).toBe(
      "tailor audit: Cannot do operations on a non-existent table — start the stack first: npx tailor up",
    );
    // explainMissing's own message already says it: not twice.
    let explained: unknown;
    try {
      explainMissing(missing, "audit table", "/data");
    } catch (error) {
      explained = error;
    }
    expect(reportError("audit", explained).line).toBe(
      "tailor audit: no audit table in /data — start the stack first: npx tailor up (or npx tailor start)",
    );
  });

  it("prints our errors and bad flags on one line, a usage error with where to look", () => {
    expect(
      reportError("preview", new LocalStackError("usage: tailor preview <template>\n  [--out D]")).line,
    ).toBe("tailor preview: usage: tailor preview <template> [--out D] — see npx tailor --help");
    let parseError: unknown;
    try {
      parseArgs({ args: ["--nope"], options: {}, strict: true });
    } catch (error) {
      parseError = error;
    }
    expect(reportError("audit", parseError)).toEqual({
      line: "tailor audit: Unknown option '--nope' — see npx tailor --help",
      unexpected: false,
    });
  });

  it("reports anything else as unexpected, one line, with how to see the stack trace", () => {
    const report = reportError("profile", new TypeError("x.y is not a function"));
    expect(report.unexpected).toBe(true);
    expect(report.line).toBe(
      "tailor profile: unexpected error: x.y is not a function — run again with --verbose (or TAILOR_DEBUG=1) " +
        "for the stack trace, and report it",
    );
  });
});
