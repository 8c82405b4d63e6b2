import path from "node:path";
import { TailorError } from "#shared/errors.js";

/** What the CLI prints for an error that ends a command: one line, and whether it is a bug (unexpected). */
export interface ErrorReport {
  /** `tailor <command>: <message> — <fix>`, on one line. */
  readonly line: string;
  /** `false` for an error the user can act on (a usage error, a missing file, no stack); `true` for a bug. */
  readonly unexpected: boolean;
}

const field = (error: unknown, name: string): unknown =>
  typeof error === "object" && error !== null && name in error
    ? Object.getOwnPropertyDescriptor(error, name)?.value
    : undefined;

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The error and its causes, outermost first (a cycle or a deep chain stops after 8). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  for (let current = error; current !== undefined && errors.length < 8; current = field(current, "cause")) {
    if (errors.includes(current)) break;
    errors.push(current);
  }
  return errors;
}

const oneLine = (message: string) => message.replace(/\s*\n\s*/g, " ").trim();

const messageOf = (error: unknown): string =>
  oneLine(error instanceof Error ? error.message : String(error)) || "failed";

/** A second stack (or an offline read) on a data dir whose emulator files another process holds open. */
function lockedDataDir(error: unknown): string | undefined {
  const message = messageOf(error);
  const lock = /lock (\S+?)[/\\]LOCK\b/i.exec(message);
  if (lock?.[1] !== undefined) return path.dirname(lock[1]);
  if (/database is locked|SQLITE_BUSY|already held by process/i.test(message)) return "the data dir";
  return undefined;
}

/** "No such table / bucket": no stack has created them on this data dir yet. */
function missingResource(error: unknown): boolean {
  const name = text(field(error, "name"));
  return name === "ResourceNotFoundException" || name === "NoSuchBucket";
}

/**
 * The one line the CLI prints when `command` ends with `error`: the message and, where we know it, the fix.
 * Our own errors (`TailorError`), bad flags, a missing file, a data dir in use and a stack that never ran are
 * expected; anything else is reported as unexpected (a bug), whose stack trace `--verbose` shows.
 */
export function reportError(command: string, error: unknown): ErrorReport {
  const prefix = `tailor ${command}:`;
  const known = (message: string, fix?: string): ErrorReport => ({
    line: `${prefix} ${message}${fix === undefined ? "" : ` — ${fix}`}`,
    unexpected: false,
  });
  for (const cause of chain(error)) {
    const code = text(field(cause, "code"));
    if (code === "ENOENT") {
      const file = text(field(cause, "path"));
      return known(
        file === undefined ? messageOf(cause) : `no such file or folder: ${file}`,
        "check the path (relative paths start in the current folder)",
      );
    }
    if (code === "EACCES" || code === "EPERM") {
      const file = text(field(cause, "path")) ?? "";
      return known(`permission denied: ${file}`.trim(), "check the file's permissions");
    }
    if (code === "EADDRINUSE") {
      return known(
        messageOf(cause),
        "stop what listens there, or pick other ports (--port-<service>, 0 = any)",
      );
    }
    if (code === "ERR_UNKNOWN_BUILTIN_MODULE") {
      return known(
        `Node.js ${process.version} lacks a module the local stack needs (${messageOf(cause)})`,
        "run it through npx tailor, which brings Node 22",
      );
    }
    const locked = lockedDataDir(cause);
    if (locked !== undefined) {
      return known(
        `${locked} is in use by another tailor stack`,
        "stop that stack (Ctrl-C in its terminal), or give this one another --data-dir",
      );
    }
  }
  const noStack = chain(error).some(missingResource);
  const stackFix = "start the stack first: npx tailor up";
  if (error instanceof TailorError) {
    const message = messageOf(error);
    if (/^usage:/.test(message)) return known(message, "see npx tailor --help");
    return known(message, noStack && !/tailor (up|start)/.test(message) ? stackFix : undefined);
  }
  if (noStack) return known(messageOf(error), stackFix);
  // The simulator's option errors are plain errors of their own (shared/sim stays free of Tailor's classes).
  if (error instanceof Error && error.name === "SimOptionsError")
    return known(messageOf(error), "see npx tailor --help");
  const code = text(field(error, "code"));
  if (code?.startsWith("ERR_PARSE_ARGS") === true) {
    // parseArgs' advice about `--` for an unknown option is noise here: the first sentence says it.
    return known(
      messageOf(error).replace(/\. To specify a positional argument.*$/, ""),
      "see npx tailor --help",
    );
  }
  return {
    line: `${prefix} unexpected error: ${messageOf(error)} — run again with --verbose (or TAILOR_DEBUG=1) for the stack trace, and report it`,
    unexpected: true,
  };
}

/**
 * Says on stderr that the command found nothing (`tailor <command>: <message> — <fix>`) and returns its exit
 * code, 1: a script never takes "nothing" for an answer.
 */
export function nothingFound(command: string, message: string, fix?: string): 1 {
  process.stderr.write(`tailor ${command}: ${message}${fix === undefined ? "" : ` — ${fix}`}\n`);
  return 1;
}
