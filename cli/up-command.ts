import { parseArgs } from "node:util";
import { startLocalStack } from "#infra/local/local-stack.js";
import { portsFromFlags, quietFunctions, stackOptions, stringFlag } from "./cli-options.js";
import { untilSignal } from "./signals.js";
import { stackBanner } from "./stack-banner.js";

/** `tailor up [--models F]`: the stack alone, its model endpoints served, until Ctrl-C. */
export async function upCommand(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { ...stackOptions, models: { type: "string" } },
    strict: true,
  });
  const stopSignal = untilSignal();
  const stack = await startLocalStack({
    dataDir: stringFlag(values["data-dir"]),
    fresh: values.fresh,
    ports: portsFromFlags(values),
    // The model endpoints the functions name, served from the artifacts (trained on the first start).
    models: { dir: stringFlag(values.models) },
    log: (line) => process.stderr.write(`${line}\n`),
    // The template's resources not created locally (by CDK logical id) and the like: with --verbose only.
    detail: values.verbose ? (line) => process.stderr.write(`${line}\n`) : () => {},
    env: quietFunctions(values.verbose, "WARN"),
  });
  process.stdout.write(`${stackBanner(stack).join("\n")}\nready\n`);
  await stopSignal;
  process.stderr.write("stopping…\n");
  await stack.stop();
  return 0;
}
