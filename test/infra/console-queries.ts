import type { Template } from "aws-cdk-lib/assertions";
import { z } from "zod";

/** CloudFront's managed origin request policy AllViewerExceptHostHeader. */
export const ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

const routeSchema = z.object({
  Properties: z.looseObject({
    RouteKey: z.string(),
    AuthorizationType: z.string().optional(),
    AuthorizerId: z.unknown().optional(),
  }),
});

/** The HTTP API's routes: key, authorization type and authorizer. */
export function routesOf(template: Template) {
  return Object.values(template.findResources("AWS::ApiGatewayV2::Route")).map(
    (route) => routeSchema.parse(route).Properties,
  );
}

/** Routes that reach a customer's data: the admin API and the IAM-signed customer routes. */
export const isCustomerRoute = (routeKey: string) => / \/v1\/(admin|customers)(\/|$)/.test(routeKey);
