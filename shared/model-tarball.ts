import { gunzipSync, gzipSync } from "node:zlib";
import { TailorError } from "./errors.js";

/**
 * `model.tar.gz` as SageMaker hosting unpacks it into `/opt/ml/model`: a gzip'd POSIX (ustar) tar of plain files.
 * No installed package reads or writes tar, and a model archive needs only regular files, so this is the few
 * lines of the format that matter: 512-byte headers (name, mode, size in octal, checksum), data padded to 512,
 * two zero blocks at the end.
 */

/** The file SageMaker's XGBoost container loads (`Booster.load_model` detects JSON by its leading `{`). */
export const XGBOOST_MODEL_FILE = "xgboost-model";

/** The co-occurrence table in a recommender's archive (next to `code/inference.py`, its serving script). */
export const RECOMMENDER_MODEL_FILE = "recommender.json";

/** Largest archive read, inflated: a model of ours is kilobytes; anything near this is not one. */
export const MODEL_TARBALL_MAX_BYTES = 64 * 1024 * 1024;

const BLOCK = 512;

/** A model archive that cannot be read. Never retryable. */
export class ModelTarballError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** One file of an archive. */
export interface TarFile {
  readonly name: string;
  readonly body: Uint8Array;
}

/** Packs files into a `.tar.gz` (ustar; mode 0644, mtime 0, so the same files give the same bytes). */
export function packModelTarball(files: readonly TarFile[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const file of files) {
    const name = Buffer.from(file.name, "utf8");
    if (name.length === 0 || name.length > 100)
      throw new ModelTarballError(`tar: bad file name "${file.name}"`);
    const header = Buffer.alloc(BLOCK);
    name.copy(header, 0);
    header.write("0000644\0", 100, "ascii");
    header.write("0000000\0", 108, "ascii");
    header.write("0000000\0", 116, "ascii");
    header.write(`${file.body.length.toString(8).padStart(11, "0")}\0`, 124, "ascii");
    header.write("00000000000\0", 136, "ascii");
    header.write("        ", 148, "ascii");
    header.write("0", 156, "ascii");
    header.write("ustar\0", 257, "ascii");
    header.write("00", 263, "ascii");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    parts.push(header, file.body, Buffer.alloc((BLOCK - (file.body.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return new Uint8Array(gzipSync(Buffer.concat(parts)));
}

/** The regular files of a `.tar.gz` (or a plain `.tar`), by name without a leading `./`. */
export function unpackModelTarball(bytes: Uint8Array): Map<string, Uint8Array> {
  let tar: Buffer;
  try {
    tar =
      bytes[0] === 0x1f && bytes[1] === 0x8b
        ? gunzipSync(bytes, { maxOutputLength: MODEL_TARBALL_MAX_BYTES })
        : Buffer.from(bytes);
  } catch (error) {
    throw new ModelTarballError("model.tar.gz: not a gzip stream (or larger than 64 MiB inflated)", error);
  }
  const files = new Map<string, Uint8Array>();
  for (let offset = 0; offset + BLOCK <= tar.length; ) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      header.toString("utf8", start, start + length).replace(/\0.*$/s, "");
    let sum = 0;
    header.forEach((byte, i) => {
      sum += i >= 148 && i < 156 ? 32 : byte;
    });
    if (Number.parseInt(field(148, 8).trim(), 8) !== sum)
      throw new ModelTarballError(`model.tar.gz: bad header checksum at byte ${offset}`);
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = (prefix === "" ? field(0, 100) : `${prefix}/${field(0, 100)}`).replace(/^\.\//, "");
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new ModelTarballError(`model.tar.gz: ${name} is cut short`);
    if (type === "0" || type === "") files.set(name, new Uint8Array(tar.subarray(start, start + size)));
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
