/** What to simulate. */
export interface SimOptions {
  /** Customers present at the start (a few `new` ones sign up each day on top). */
  customers: number;
  /** Simulated days, each 24 h from `start`. */
  days: number;
  /** Any integer; the same seed gives a byte-identical stream. */
  seed: number;
  /** Epoch ms at which simulated time begins. */
  start: number;
}

/** One raw Segment event as an app would put it on the stream. */
export interface SimRecord {
  /** The Kinesis partition key: the `userId`, or the `anonymousId` of an event without one. */
  partitionKey: string;
  /** The raw Segment-spec event (plain JSON). */
  event: Record<string, unknown>;
  /** When it happens, epoch ms (equal to `event.timestamp`). */
  at: number;
}
