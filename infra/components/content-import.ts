import { fileURLToPath } from "node:url";
import { Duration, Validations } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { EventType, type IBucket } from "aws-cdk-lib/aws-s3";
import { LambdaDestination } from "aws-cdk-lib/aws-s3-notifications";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { contentImportEnvSchema } from "#functions/content-import/env.js";
import { CONTENT_PREFIX } from "#shared/app/content/import-content-object.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { ContentLibraryStore } from "./content-library.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { arnFinding } from "./nag-findings.js";
import { ProjectFunction } from "./project-function.js";
import { grantTableActions } from "./table-grants.js";

const importEntry = fileURLToPath(new URL("../../functions/content-import/handler.ts", import.meta.url));

/** Service name of the content-import function. */
export const CONTENT_IMPORT_SERVICE_NAME = "content-import";

/** Props of {@link ContentImport}. */
export interface ContentImportProps {
  /** The catalog's feed bucket: content library files are dropped under `content/`. */
  readonly feedBucket: IBucket;
  /** The content library the files replace. */
  readonly content: ContentLibraryStore;
  /** The catalog import's failures queue (its alarm fires when it is not empty): failed imports end up there. */
  readonly failuresQueue: IQueue;
}

/**
 * Imports the content library from the feed bucket: an object created under `content/` (a JSON array, JSON Lines
 * or CSV file, `.gz` accepted) starts this function, which runs the use case of `tailor content import`. It alone
 * writes the content table (Scan, PutItem, UpdateItem) and reads only `content/` of the bucket; an invocation
 * that fails twice lands in the catalog import's failures queue, whose alarm notifies.
 */
export class ContentImport extends Construct {
  /** The import function. */
  readonly importFunction: IFunction;

  constructor(scope: Construct, id: string, props: ContentImportProps) {
    super(scope, id);
    const { feedBucket: bucket, content } = props;
    const importer = new ProjectFunction(this, "ImportFunction", {
      entry: importEntry,
      description: "Imports a content library file dropped under content/ of the feed bucket",
      // A library of thousands of items is read whole and written in seconds.
      timeout: Duration.minutes(5),
      memorySize: 512,
      environmentSchema: contentImportEnvSchema,
      environment: {
        CONTENT_TABLE: content.table.tableName,
        FEED_BUCKET: bucket.bucketName,
        POWERTOOLS_SERVICE_NAME: CONTENT_IMPORT_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = importer.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.contentImportFunction);
    // What DynamoContentLibrary calls: all() scans, put() puts, retire() updates.
    grantTableActions(content.table, fn, "write", "Scan", "PutItem", "UpdateItem");
    bucket.grantRead(fn, `${CONTENT_PREFIX}*`);
    fn.configureAsyncInvoke({ retryAttempts: 1, onFailure: new SqsDestination(props.failuresQueue) });
    bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(fn), {
      prefix: CONTENT_PREFIX,
    });
    Validations.of(importer.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(bucket, `/${CONTENT_PREFIX}*`)}]`,
      reason: `Content files are named by whoever drops them: the grant is limited to ${CONTENT_PREFIX}.`,
    });
    for (const action of [
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
      "s3:GetBucket*",
      "s3:GetObject*",
      "s3:List*",
    ]) {
      Validations.of(importer.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "grantRead on the feed bucket and its key, the table key's write actions: each on one resource.",
      });
    }
    this.importFunction = fn;
  }
}
