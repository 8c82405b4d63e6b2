import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import {
  httpApiProperties,
  httpIntegrationProperties,
  httpRouteProperties,
  httpStageProperties,
  parseProperties,
  type TemplateResource,
} from "./cfn-template.js";

/** A route of an HTTP API and the local function it invokes. */
export interface HttpRouteSpec {
  /** As the template says it: `GET /unsubscribe`, `ANY /{proxy+}`, `$default`. */
  readonly routeKey: string;
  readonly functionName: string;
  /** `NONE`, `AWS_IAM`, `JWT`, `CUSTOM`: the local server accepts every request whatever it is. */
  readonly authorizationType: string;
}

/** An API Gateway HTTP API (payload format 2.0) whose routes invoke functions of the local stack. */
export interface HttpApiSpec {
  readonly logicalId: string;
  /** What `Ref` gives for it: the API id in the local names. */
  readonly apiId: string;
  /** The endpoint the template resolves to (`https://<id>.execute-api.<region>.amazonaws.com`), which the local stack swaps for its server's URL. */
  readonly endpoint: string;
  /** The stage requests go to; `$default` serves at the root. */
  readonly stage: string;
  readonly routes: readonly HttpRouteSpec[];
}

/** What planning the APIs needs from the rest of the plan. */
export interface HttpApiPlanContext {
  readonly ctx: ResolveContext;
  readonly functions: readonly { readonly name: string; readonly arn: string }[];
  readonly notes: string[];
}

const TYPES = {
  api: "AWS::ApiGatewayV2::Api",
  route: "AWS::ApiGatewayV2::Route",
  integration: "AWS::ApiGatewayV2::Integration",
  stage: "AWS::ApiGatewayV2::Stage",
} as const;

/** The endpoint `Fn::GetAtt [Api, ApiEndpoint]` gives for an API id, as on AWS. */
export function awsApiEndpoint(apiId: string, region: string): string {
  return `https://${apiId}.execute-api.${region}.amazonaws.com`;
}

/**
 * Reads the template's HTTP APIs: each route, through its `integrations/<id>` target, to the Lambda function its
 * `AWS_PROXY` integration invokes. Routes to anything else, WebSocket APIs and payload format 1.0 are left out
 * with a note.
 */
export function planHttpApis(
  resources: Readonly<Record<string, TemplateResource>>,
  known: HttpApiPlanContext,
): HttpApiSpec[] {
  const { ctx, functions, notes } = known;
  const byType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const apis: HttpApiSpec[] = [];
  for (const [logicalId, resource] of byType(TYPES.api)) {
    const properties = parseProperties(logicalId, resource, httpApiProperties);
    if (properties.ProtocolType !== undefined && properties.ProtocolType !== "HTTP") {
      notes.push(`${logicalId}: a ${properties.ProtocolType} API: not served locally`);
      continue;
    }
    const apiId = ctx.ref(logicalId) ?? logicalId;
    const ofThisApi = (id: string, api: unknown) => resolveString(api, ctx, `${id} ApiId`) === apiId;
    const stages = byType(TYPES.stage)
      .map(([id, stage]) => [id, parseProperties(id, stage, httpStageProperties)] as const)
      .filter(([id, stage]) => ofThisApi(id, stage.ApiId))
      .map(([, stage]) => stage.StageName);
    const stage = stages.includes("$default") ? "$default" : (stages[0] ?? "$default");
    const integrations = new Map<string, string>();
    for (const [id, integration] of byType(TYPES.integration)) {
      const props = parseProperties(id, integration, httpIntegrationProperties);
      if (!ofThisApi(id, props.ApiId)) continue;
      const uri =
        props.IntegrationUri === undefined
          ? ""
          : resolveString(props.IntegrationUri, ctx, `${id} IntegrationUri`);
      const fn = functions.find((f) => uri === f.arn || uri.includes(`${f.arn}/`));
      if (props.IntegrationType !== "AWS_PROXY" || fn === undefined) {
        notes.push(`${id}: ${props.IntegrationType} ${uri} is not a function of the local stack: not served`);
        continue;
      }
      if (props.PayloadFormatVersion !== undefined && props.PayloadFormatVersion !== "2.0") {
        notes.push(`${id}: payload format ${props.PayloadFormatVersion} is not served locally (2.0 only)`);
        continue;
      }
      integrations.set(ctx.ref(id) ?? id, fn.name);
    }
    const routes: HttpRouteSpec[] = [];
    for (const [id, route] of byType(TYPES.route)) {
      const props = parseProperties(id, route, httpRouteProperties);
      if (!ofThisApi(id, props.ApiId)) continue;
      const target = props.Target === undefined ? "" : resolveString(props.Target, ctx, `${id} Target`);
      const functionName = integrations.get(target.replace(/^integrations\//, ""));
      if (functionName === undefined) {
        notes.push(`${id}: ${props.RouteKey} has no integration with a local function: not served`);
        continue;
      }
      routes.push({
        routeKey: props.RouteKey,
        functionName,
        authorizationType: props.AuthorizationType ?? "NONE",
      });
    }
    if (routes.length === 0) {
      notes.push(`${logicalId}: no route invokes a function of the local stack: not served`);
      continue;
    }
    apis.push({ logicalId, apiId, endpoint: awsApiEndpoint(apiId, ctx.region), stage, routes });
  }
  return apis;
}
