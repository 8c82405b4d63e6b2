/**
 * Writes the synthesised template of the Tailor app (as the local stack reads it: no bundling, no checks) to a
 * file, whole (renamed into place). Run by the integration project's global setup in a process of its own.
 *
 * Usage: `node --import tsx test/support/synth-template.ts <file>`.
 */
import { renameSync, writeFileSync } from "node:fs";
import { synthTemplate } from "#infra/app.js";

const file = process.argv[2];
if (file === undefined) throw new Error("usage: synth-template.ts <file>");
writeFileSync(`${file}.partial`, JSON.stringify(synthTemplate()));
renameSync(`${file}.partial`, file);
