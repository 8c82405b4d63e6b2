import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { AlarmTopic } from "./components/alarm-topic.js";
import { EventStream } from "./components/event-stream.js";
import { Ingest } from "./components/ingest.js";
import { ProfileStore } from "./components/profile-store.js";
import { Quarantine } from "./components/quarantine.js";
import { SegmentDefinitions } from "./components/segment-definitions.js";
import { SegmentStore } from "./components/segment-store.js";
import { SegmentTimers } from "./components/segment-timers.js";
import { TimerStore } from "./components/timer-store.js";
import { TransitionsQueue } from "./components/transitions-queue.js";

/** Props of {@link TailorStack}. */
export interface TailorStackProps extends StackProps {
  /**
   * Provisioned shards of the event stream.
   * @default 1
   */
  readonly shardCount?: number;
  /**
   * Absolute path of the folder of segment definitions, validated when the stack is built and shipped in the
   * bundles of the functions that evaluate segments.
   * @default - the repository's `templates/segments`
   */
  readonly segmentsDir?: string;
}

/**
 * Tailor in one stack: the stateful resources (event stream, profile, timers and segments tables, quarantine
 * bucket, transitions queue), each in a construct of its own, and the capabilities wired to them.
 */
export class TailorStack extends Stack {
  /** The topic every alarm notifies; subscribe to it to hear about trouble. */
  readonly alarmTopic: ITopic;
  /** The segment definitions, validated. */
  readonly definitions: SegmentDefinitions;
  /** The event stream. */
  readonly events: EventStream;
  /** The profile table. */
  readonly profiles: ProfileStore;
  /** The quarantine bucket. */
  readonly quarantine: Quarantine;
  /** The due-time timers table. */
  readonly timers: TimerStore;
  /** The segment bookkeeping table. */
  readonly segments: SegmentStore;
  /** The segment transitions queue. */
  readonly transitions: TransitionsQueue;
  /** The ingest capability. */
  readonly ingest: Ingest;
  /** The segment timers capability. */
  readonly segmentTimers: SegmentTimers;

  constructor(scope: Construct, id: string, props: TailorStackProps = {}) {
    super(scope, id, props);
    // First: an invalid definition fails the build before anything else is declared.
    this.definitions = SegmentDefinitions.load(props.segmentsDir);
    this.alarmTopic = new AlarmTopic(this, "Alarms").topic;
    this.events = new EventStream(this, "Events", { shardCount: props.shardCount });
    this.profiles = new ProfileStore(this, "Profiles");
    this.quarantine = new Quarantine(this, "Quarantine");
    this.timers = new TimerStore(this, "Timers");
    this.segments = new SegmentStore(this, "Segments");
    this.transitions = new TransitionsQueue(this, "Transitions", { alarmTopic: this.alarmTopic });
    this.ingest = new Ingest(this, "Ingest", {
      stream: this.events.stream,
      profiles: this.profiles.table,
      quarantineBucket: this.quarantine.bucket,
      timers: this.timers.table,
      segments: this.segments.table,
      transitionsQueue: this.transitions.queue,
      definitions: this.definitions,
      alarmTopic: this.alarmTopic,
    });
    this.segmentTimers = new SegmentTimers(this, "SegmentTimers", {
      profiles: this.profiles.table,
      timers: this.timers.table,
      segments: this.segments.table,
      transitionsQueue: this.transitions.queue,
      definitions: this.definitions,
      alarmTopic: this.alarmTopic,
    });
  }
}
