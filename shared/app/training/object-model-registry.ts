import {
  type CurrentModel,
  currentModelSchema,
  type ModelVersionRecord,
  modelVersionRecordSchema,
  REGISTRY_PREFIX,
  type RegistryModel,
  registryKeys,
} from "#shared/domain/models/registry.js";
import { TailorError } from "#shared/errors.js";
import type { ModelRegistry, TrainingObjects } from "#shared/ports.js";

/** A registry object that is not what its key says (corrupt JSON, wrong shape). Never retryable. */
export class RegistryObjectError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The model registry over a bucket of objects (S3 on AWS, `.tailor/` locally), laid out as `registryKeys` says.
 * A version's artifact is written before its record, and the record before `current.json` names it, so a reader
 * never sees a version without its artifact.
 */
export class ObjectModelRegistry implements ModelRegistry {
  readonly #objects: TrainingObjects;

  constructor(objects: TrainingObjects) {
    this.#objects = objects;
  }

  async putVersion(record: ModelVersionRecord, artifact: Uint8Array, json?: Uint8Array): Promise<void> {
    await this.#objects.put(
      registryKeys.artifact(record.model, record.version),
      artifact,
      "application/gzip",
    );
    if (json !== undefined)
      await this.#objects.put(registryKeys.json(record.model, record.version), json, "application/json");
    await this.putRecord(record);
  }

  async putRecord(record: ModelVersionRecord): Promise<void> {
    const checked = modelVersionRecordSchema.parse(record);
    await this.#putJson(registryKeys.record(checked.model, checked.version), checked);
  }

  async getRecord(model: RegistryModel, version: string): Promise<ModelVersionRecord | undefined> {
    const key = registryKeys.record(model, version);
    const value = await this.#getJson(key);
    return value === undefined ? undefined : this.#parse(key, () => modelVersionRecordSchema.parse(value));
  }

  getArtifact(model: RegistryModel, version: string): Promise<Uint8Array | undefined> {
    return this.#objects.get(registryKeys.artifact(model, version));
  }

  async listVersions(model: RegistryModel): Promise<ModelVersionRecord[]> {
    const keys = await this.#objects.list(registryKeys.versions(model));
    const versions = keys
      .filter((key) => key.endsWith("/version.json"))
      .map((key) => key.slice(`${REGISTRY_PREFIX}${model}/`.length, -"/version.json".length))
      .sort();
    const records: ModelVersionRecord[] = [];
    for (const version of versions) {
      const record = await this.getRecord(model, version);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  async current(model: RegistryModel): Promise<CurrentModel | undefined> {
    const key = registryKeys.current(model);
    const value = await this.#getJson(key);
    return value === undefined ? undefined : this.#parse(key, () => currentModelSchema.parse(value));
  }

  async setCurrent(current: CurrentModel): Promise<void> {
    const checked = currentModelSchema.parse(current);
    await this.#putJson(registryKeys.current(checked.model), checked);
  }

  async #getJson(key: string): Promise<unknown> {
    const bytes = await this.#objects.get(key);
    if (bytes === undefined) return undefined;
    return this.#parse(key, () => JSON.parse(decoder.decode(bytes)));
  }

  #putJson(key: string, value: unknown): Promise<void> {
    return this.#objects.put(key, encoder.encode(`${JSON.stringify(value, null, 2)}\n`), "application/json");
  }

  #parse<T>(key: string, read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw new RegistryObjectError(`${key} is not a registry object: ${String(error)}`, error);
    }
  }
}
