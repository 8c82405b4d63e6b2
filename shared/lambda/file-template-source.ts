import { readFile, stat } from "node:fs/promises";
import { DependencyUnavailableError } from "../errors.js";
import type { TemplateSource } from "../ports.js";

/**
 * The compiled templates of a file (`TEMPLATES_FILE`): in a bundle it never changes; on the local stack it is
 * rewritten when a template is edited, and its version (modification time and size) changes with it.
 */
export class FileTemplateSource implements TemplateSource {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  async version(): Promise<string> {
    try {
      const info = await stat(this.#file);
      return `${Math.round(info.mtimeMs)}-${info.size}`;
    } catch (error) {
      throw new DependencyUnavailableError(`cannot read the compiled templates ${this.#file}`, error);
    }
  }

  async load(): Promise<{ readonly version: string; readonly json: string }> {
    const version = await this.version();
    try {
      return { version, json: await readFile(this.#file, "utf8") };
    } catch (error) {
      throw new DependencyUnavailableError(`cannot read the compiled templates ${this.#file}`, error);
    }
  }
}
