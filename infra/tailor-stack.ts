import { Stack, type StackProps } from "aws-cdk-lib";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { AlarmTopic } from "./components/alarm-topic.js";
import { EventStream } from "./components/event-stream.js";
import { Ingest } from "./components/ingest.js";
import { ProfileStore } from "./components/profile-store.js";
import { Quarantine } from "./components/quarantine.js";

/** Props of {@link TailorStack}. */
export interface TailorStackProps extends StackProps {
  /**
   * Provisioned shards of the event stream.
   * @default 1
   */
  readonly shardCount?: number;
}

/**
 * Tailor in one stack: the stateful resources (event stream, profile table, quarantine bucket), each in a
 * construct of its own, and the capabilities wired to them.
 */
export class TailorStack extends Stack {
  /** The topic every alarm notifies; subscribe to it to hear about trouble. */
  readonly alarmTopic: ITopic;
  /** The event stream. */
  readonly events: EventStream;
  /** The profile table. */
  readonly profiles: ProfileStore;
  /** The quarantine bucket. */
  readonly quarantine: Quarantine;
  /** The ingest capability. */
  readonly ingest: Ingest;

  constructor(scope: Construct, id: string, props: TailorStackProps = {}) {
    super(scope, id, props);
    this.alarmTopic = new AlarmTopic(this, "Alarms").topic;
    this.events = new EventStream(this, "Events", { shardCount: props.shardCount });
    this.profiles = new ProfileStore(this, "Profiles");
    this.quarantine = new Quarantine(this, "Quarantine");
    this.ingest = new Ingest(this, "Ingest", {
      stream: this.events.stream,
      profiles: this.profiles.table,
      quarantineBucket: this.quarantine.bucket,
      alarmTopic: this.alarmTopic,
    });
  }
}
