import { readFile } from "node:fs/promises";
import { z } from "zod";
import { OperationsError } from "./operations-error.js";

/** How to write the outputs file, said whenever it is missing or lacks what a command reads. */
export const DEPLOY_HINT = "deploy with: npx cdk deploy --outputs-file cdk-outputs.json";

/** The JSON of the outputs file `cdk deploy --outputs-file F` wrote; a missing or broken file says how to write it. */
export async function readOutputsFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    // Not the file system's error as the cause: the one line says how to write the file, not "check the path".
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new OperationsError(
      `cannot read ${file} (${reason}) — write it with: npx cdk deploy --outputs-file ${file} (or pass --outputs)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OperationsError(`${file}: not JSON`, error);
  }
}

/**
 * The outputs of `stackName` in an outputs file's JSON (`{ "<stack>": { "<output>": "<value>" } }`). Names the
 * file and the stacks it has when the stack is not among them.
 */
export function stackOutputsOf(file: string, json: unknown, stackName: string): Record<string, unknown> {
  const stacks = z.record(z.string(), z.record(z.string(), z.unknown())).safeParse(json);
  if (!stacks.success) throw new OperationsError(`${file}: not a CDK outputs file (${DEPLOY_HINT})`);
  const outputs = stacks.data[stackName];
  if (outputs === undefined) {
    const known = Object.keys(stacks.data);
    throw new OperationsError(
      `${file}: no stack ${stackName} (it has ${known.length === 0 ? "none" : known.join(", ")}) — pass --stack-name`,
    );
  }
  return outputs;
}
