import type { DeployedResource, DeployedStack } from '../template/deploy';
import type { HttpApiDefinition, HttpRoute } from './http-api';

/**
 * An HTTP API found in a stack.
 *
 * @example for (const { definition } of collectHttpApis(stacks)) await startHttpApi(definition, invoke);
 */
export interface CollectedHttpApi {
  readonly source: { readonly app: string; readonly stackName: string; readonly logicalId: string };
  readonly definition: HttpApiDefinition;
}

/**
 * Assembles each `AWS::ApiGatewayV2::Api` (protocol HTTP) of the deployed stacks with its routes, their Lambda proxy
 * integrations and its stage.
 *
 * @example for (const api of collectHttpApis(stacks)) await startHttpApi(api.definition, invoke);
 */
export function collectHttpApis(stacks: readonly DeployedStack[]): CollectedHttpApi[] {
  const found: CollectedHttpApi[] = [];
  for (const stack of stacks) {
    const all = [...stack.resources.values()];
    const ofType = (type: string) => all.filter((r) => r.type === type);
    const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').map((r) => [r.identity.ref, r]));
    for (const api of ofType('AWS::ApiGatewayV2::Api')) {
      if (api.properties.ProtocolType !== undefined && api.properties.ProtocolType !== 'HTTP') continue;
      const apiId = api.identity.ref;
      const routes: HttpRoute[] = [];
      for (const route of ofType('AWS::ApiGatewayV2::Route').filter((r) => r.properties.ApiId === apiId)) {
        const target = String(route.properties.Target ?? '');
        const integration = integrations.get(target.replace(/^integrations\//, ''));
        if (integration)
          routes.push({
            routeKey: String(route.properties.RouteKey),
            functionArn: integrationFunction(integration),
          });
      }
      if (typeof api.properties.Target === 'string')
        routes.push({ routeKey: '$default', functionArn: api.properties.Target });
      const stages = ofType('AWS::ApiGatewayV2::Stage').filter((s) => s.properties.ApiId === apiId);
      const stage = stages.find((s) => s.properties.StageName === '$default') ?? stages[0];
      found.push({
        source: {
          app: stack.plan.input.app,
          stackName: stack.plan.input.stackName,
          logicalId: api.logicalId,
        },
        definition: {
          apiId,
          name: String(api.properties.Name ?? api.logicalId),
          routes,
          stageName: stage ? String(stage.properties.StageName) : '$default',
        },
      });
    }
  }
  return found;
}

function integrationFunction(integration: DeployedResource): string {
  const uri = String(integration.properties.IntegrationUri ?? '');
  const match = /(arn:aws:lambda:[^:]+:[^:]+:function:[^/:]+)/.exec(uri);
  return match ? (match[1] as string) : uri;
}
