import { type Clock, systemClock } from "../ports.js";

let current: Clock = systemClock;

/**
 * The clock every function's composition root hands its use cases. It is the system clock on Lambda; the local
 * stack may install another (tests move time forward to make delays fall due without waiting for them).
 */
export const runtimeClock: Clock = { now: () => current.now() };

/** Installs `clock` as the {@link runtimeClock} of this process; returns a function that puts the previous back. */
export function useRuntimeClock(clock: Clock): () => void {
  const previous = current;
  current = clock;
  return () => {
    current = previous;
  };
}
