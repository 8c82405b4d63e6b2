import { Aws, Validations } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { CfnEndpoint, CfnEndpointConfig, CfnModel } from "aws-cdk-lib/aws-sagemaker";
import { Construct } from "constructs";
import { RECOMMENDER_MODEL } from "../stack-output-names.js";
import { acknowledgePrefixGrants } from "./bucket-grant-findings.js";
import type { EndpointCapacity, ModelSettings } from "./model-settings.js";
import { MODELS_PREFIX } from "./model-store.js";
import { inferenceImage } from "./xgboost-image.js";

/** The one production variant of every endpoint the stack deploys. */
export const VARIANT_NAME = "AllTraffic";

/**
 * The environment that runs a recommender's `model.tar.gz` in script mode on SageMaker's framework container:
 * its `code/inference.py` (unpacked to `/opt/ml/model/code`) instead of the built-in XGBoost handler.
 */
export const RECOMMENDER_CONTAINER_ENVIRONMENT: Readonly<Record<string, string>> = {
  SAGEMAKER_PROGRAM: "inference.py",
  SAGEMAKER_SUBMIT_DIRECTORY: "/opt/ml/model/code",
};

/** The container environment of a model's endpoint: script mode for the recommender, none for XGBoost. */
export function containerEnvironment(model: string): Readonly<Record<string, string>> {
  return model === RECOMMENDER_MODEL ? RECOMMENDER_CONTAINER_ENVIRONMENT : {};
}

/** Props of {@link ModelEndpoints}. */
export interface ModelEndpointsProps {
  /**
   * Model → the name of its endpoint: the scoring models (the names rescoring and ingest invoke) and, when
   * deployed, `recommendations` (the name dispatch and the API invoke).
   */
  readonly endpoints: Readonly<Record<string, string>>;
  /** The model bucket: the registry the artifacts are read from. */
  readonly bucket: IBucket;
  /** Where the endpoints run, the image, the first artifacts. */
  readonly settings: ModelSettings & { readonly capacity: EndpointCapacity };
}

/**
 * The models' SageMaker endpoints, when the stack deploys them (`-c modelHosting=serverless|provisioned`):
 * per model a `CfnModel` (SageMaker's built-in XGBoost image serving the registry's `model.tar.gz`; for the
 * recommender the same image in script mode, running the archive's `code/inference.py`), a
 * `CfnEndpointConfig` (one serverless or provisioned variant) and a `CfnEndpoint` of the name rescoring and
 * ingest invoke. The training workflow then rolls each endpoint to a promoted version (`UpdateEndpoint`), with
 * the same role, image and capacity. The execution role reads the model bucket's `models/` prefix and nothing
 * else of it.
 *
 * No Docker build: the recommender's archive carries its own dependency-free serving script.
 */
export class ModelEndpoints extends Construct {
  /** The role SageMaker assumes to serve the models. */
  readonly role: Role;
  /** The inference image URI (or a token of the region's mapping). */
  readonly image: string;
  /** The endpoints, by model. */
  readonly endpoints: Readonly<Record<string, CfnEndpoint>>;

  constructor(scope: Construct, id: string, props: ModelEndpointsProps) {
    super(scope, id);
    const { capacity } = props.settings;
    this.image = inferenceImage(this, Aws.REGION, props.settings.image);
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("sagemaker.amazonaws.com"),
      description:
        "Serves Tailor's scoring models and recommender: reads the model bucket's models/ prefix, writes endpoint logs",
    });
    props.bucket.grantRead(this.role, `${MODELS_PREFIX}*`);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "logs:DescribeLogStreams",
        ],
        resources: [
          `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/Endpoints/*`,
        ],
      }),
    );
    this.role.addToPolicy(new PolicyStatement({ actions: ["cloudwatch:PutMetricData"], resources: ["*"] }));
    Validations.of(this.role).acknowledge(
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "cloudwatch:PutMetricData supports no resource scoping (the endpoints' invocation metrics).",
      },
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/sagemaker/Endpoints/*]",
        reason: "SageMaker names each endpoint's log group after the endpoint; only endpoints' log groups.",
      },
    );
    acknowledgePrefixGrants(
      this.role,
      [{ bucket: props.bucket, prefix: MODELS_PREFIX }],
      "The served models",
    );

    const endpoints: Record<string, CfnEndpoint> = {};
    for (const [model, endpointName] of Object.entries(props.endpoints)) {
      const key = props.settings.initialArtifacts[model];
      if (key === undefined) continue;
      const id = pascal(model);
      const cfnModel = new CfnModel(this, `${id}Model`, {
        executionRoleArn: this.role.roleArn,
        primaryContainer: {
          image: this.image,
          modelDataUrl: `s3://${props.bucket.bucketName}/${key}`,
          ...(model === RECOMMENDER_MODEL ? { environment: RECOMMENDER_CONTAINER_ENVIRONMENT } : {}),
        },
        tags: [{ key: "tailor:model", value: model }],
      });
      // SageMaker checks the role can read the artifact when it creates the model.
      cfnModel.node.addDependency(this.role);
      const config = new CfnEndpointConfig(this, `${id}EndpointConfig`, {
        productionVariants: [productionVariant(cfnModel.attrModelName, capacity)],
        tags: [{ key: "tailor:model", value: model }],
      });
      endpoints[model] = new CfnEndpoint(this, `${id}Endpoint`, {
        endpointName,
        endpointConfigName: config.attrEndpointConfigName,
        tags: [{ key: "tailor:model", value: model }],
      });
    }
    this.endpoints = endpoints;
  }
}

/** The one variant of an endpoint config: serverless (memory, concurrency) or provisioned (type, count). */
export function productionVariant(
  modelName: string,
  capacity: EndpointCapacity,
): CfnEndpointConfig.ProductionVariantProperty {
  return capacity.kind === "serverless"
    ? {
        variantName: VARIANT_NAME,
        modelName,
        serverlessConfig: { memorySizeInMb: capacity.memoryMb, maxConcurrency: capacity.maxConcurrency },
      }
    : {
        variantName: VARIANT_NAME,
        modelName,
        instanceType: capacity.instanceType,
        initialInstanceCount: capacity.instanceCount,
        initialVariantWeight: 1,
      };
}

/** `purchase_30d` → `Purchase30d`: a construct id. */
function pascal(model: string): string {
  return model
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => `${part[0]?.toUpperCase() ?? ""}${part.slice(1)}`)
    .join("");
}
