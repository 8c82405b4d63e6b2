import type { WriteKeyRecord } from "#shared/domain/write-keys/write-key.js";
import type { WriteKeyRegistry } from "#shared/ports.js";

/** The write-key registry in a map, counting lookups (to see the API's cache at work). */
export class InMemoryWriteKeyRegistry implements WriteKeyRegistry {
  readonly byHash = new Map<string, WriteKeyRecord>();
  lookups = 0;

  async findByHash(hash: string): Promise<WriteKeyRecord | undefined> {
    this.lookups++;
    return this.byHash.get(hash);
  }

  async add(record: WriteKeyRecord): Promise<void> {
    if (this.byHash.has(record.hash) || [...this.byHash.values()].some((known) => known.id === record.id)) {
      throw new Error(`write key ${record.id} exists`);
    }
    this.byHash.set(record.hash, record);
  }

  async list(): Promise<WriteKeyRecord[]> {
    return [...this.byHash.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, at: number): Promise<WriteKeyRecord | undefined> {
    const record = [...this.byHash.values()].find((known) => known.id === id);
    if (record === undefined) return undefined;
    const revoked = { ...record, revokedAt: Math.min(at, record.revokedAt ?? at) };
    this.byHash.set(record.hash, revoked);
    return revoked;
  }
}
