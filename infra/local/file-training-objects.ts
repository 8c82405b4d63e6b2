import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { TailorError } from "#shared/errors.js";
import type { TrainingObjects } from "#shared/ports.js";

/** A key that would leave the folder (`..`, absolute). Never retryable. */
export class TrainingObjectKeyError extends TailorError {
  constructor(key: string) {
    super(`training object key "${key}": a key is a relative path of letters, digits, . _ - / without ..`, {
      retryable: false,
    });
  }
}

const KEY = /^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*\/?$/;

/**
 * Training objects in a folder (`.tailor` locally: the registry lands in `.tailor/models/<model>/<version>/`), one
 * file per key. A write goes to a temporary file renamed into place, so a reader (the model server) never sees half
 * a file.
 */
export class FileTrainingObjects implements TrainingObjects {
  readonly #root: string;
  readonly #prefix: string;

  /**
   * `root` holds the keys under `prefix`, the prefix left out of the path: `new FileTrainingObjects(".tailor/models",
   * "models/")` keeps `models/purchase_30d/current.json` in `.tailor/models/purchase_30d/current.json`.
   */
  constructor(root: string, prefix = "") {
    this.#root = resolve(root);
    this.#prefix = prefix;
  }

  #path(key: string): string {
    if (!KEY.test(key) || key.split("/").includes("..") || !key.startsWith(this.#prefix))
      throw new TrainingObjectKeyError(key);
    const rest = key.slice(this.#prefix.length);
    return rest === "" ? this.#root : join(this.#root, ...rest.split("/").filter((part) => part !== ""));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(key)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async put(key: string, body: Uint8Array, _contentType?: string): Promise<void> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.endsWith("/") ? prefix : prefix.slice(0, prefix.lastIndexOf("/") + 1);
    if (!base.startsWith(this.#prefix) && !this.#prefix.startsWith(base)) return [];
    const start = base.length <= this.#prefix.length ? this.#root : this.#path(base);
    const keys: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile() && !entry.name.endsWith(".tmp"))
          keys.push(this.#prefix + relative(this.#root, path).split(sep).join("/"));
      }
    };
    await walk(start);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }
}

function isMissing(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "ENOENT";
}
