import type { SimRecord } from "./records.js";

/**
 * Collects the events generated while simulating one day. Events due after the day's end (a refund two weeks
 * later, an e-mail opened after midnight) are set aside for a later day; those after the simulation's end are
 * dropped, so the stream covers exactly [start, start + days).
 */
export class Timeline {
  /** Events due before the day ends, in generation order. */
  readonly today: SimRecord[] = [];
  /** Events due on a later day. */
  readonly later: SimRecord[] = [];
  readonly #dayEnd: number;
  readonly #simEnd: number;

  constructor(dayEnd: number, simEnd: number) {
    this.#dayEnd = dayEnd;
    this.#simEnd = simEnd;
  }

  push(record: SimRecord): void {
    if (record.at >= this.#simEnd) return;
    if (record.at < this.#dayEnd) this.today.push(record);
    else this.later.push(record);
  }
}
