import type { TrainingObjects } from "#shared/ports.js";

/** Training objects in a map, for unit tests (the adapters have their own tests on files and the S3 emulator). */
export class MemoryTrainingObjects implements TrainingObjects {
  readonly objects = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async put(key: string, body: Uint8Array, _contentType?: string): Promise<void> {
    this.objects.set(key, body);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
