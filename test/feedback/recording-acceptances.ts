import type { SendAcceptance, SendAcceptances } from "#shared/ports.js";

/** The ledger's acceptances in memory, first record kept (as the ledger's conditional put keeps it). */
export class RecordingAcceptances implements SendAcceptances {
  readonly byRef = new Map<string, SendAcceptance>();
  calls = 0;
  constructor(readonly failure?: Error) {}

  async recordAccepted(acceptance: SendAcceptance): Promise<void> {
    this.calls++;
    if (this.failure !== undefined) throw this.failure;
    if (!this.byRef.has(acceptance.sendRef)) this.byRef.set(acceptance.sendRef, acceptance);
  }
}
