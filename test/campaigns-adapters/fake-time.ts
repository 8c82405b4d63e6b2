import type { Sleep } from "#shared/app/rate-limiter.js";
import type { Clock } from "#shared/ports.js";

/** A clock that only moves when someone sleeps on it: sleeps resolve at once and advance the time. */
export class FakeTime implements Clock {
  #now: number;
  readonly sleeps: number[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  readonly sleep: Sleep = async (ms) => {
    this.sleeps.push(ms);
    this.#now += ms;
  };

  advance(ms: number): void {
    this.#now += ms;
  }
}
