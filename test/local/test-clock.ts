/**
 * A clock for tests on the local stack: time flows (pollers wait out their batching windows on it) and the test
 * moves it at will (`clock.at = …`) to make delays fall due without waiting for them.
 */
export class TestClock {
  #offset: number;

  constructor(at: number) {
    this.#offset = at - Date.now();
  }

  now(): number {
    return Date.now() + this.#offset;
  }

  set at(at: number) {
    this.#offset = at - Date.now();
  }
}
