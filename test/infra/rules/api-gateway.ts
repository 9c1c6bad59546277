import { resourcesOf, type Rule } from './rule.ts';

/**
 * `AWS::ApiGatewayV2::Integration` `ResponseParameters` maps an integration status code (200 to
 * 599) to a ResponseParameterMap, `{ ResponseParameters: [{ Destination, Source }] }`; the
 * validator types it as a loose object. Destinations are `overwrite:statuscode` or
 * `append|overwrite|remove:header.<name>`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html
 */
export const httpApiResponseParameterMaps: Rule = {
  title: 'maps HTTP API integration responses with ResponseParameterMap objects',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-apigatewayv2-integration-responseparametermap.html',
  check: (deployment) =>
    resourcesOf(deployment, 'AWS::ApiGatewayV2::Integration').flatMap(([id, integration]) =>
      Object.entries((integration.Properties?.ResponseParameters ?? {}) as Record<string, unknown>).flatMap(([status, map]) => {
        const where = `${id}.ResponseParameters['${status}']`;
        const code = Number(status);
        const problems = Number.isInteger(code) && code >= 200 && code <= 599 ? [] : [`${where}: the key must be a status code from 200 to 599`];
        const list = (map as { ResponseParameters?: unknown } | null)?.ResponseParameters;
        if (typeof map !== 'object' || map === null || Array.isArray(map) || !Array.isArray(list)) {
          return [...problems, `${where}: must be { ResponseParameters: [{ Destination, Source }] }`];
        }
        for (const entry of list as { Destination?: unknown; Source?: unknown }[]) {
          const destination = String(entry.Destination);
          if (!/^(overwrite:statuscode|(append|overwrite|remove):header\.[A-Za-z0-9-]+)$/.test(destination)) problems.push(`${where}: Destination ${destination} is not a response parameter`);
          if (destination === 'overwrite:statuscode' && !/^[1-5]\d\d$/.test(String(entry.Source))) problems.push(`${where}: status code ${String(entry.Source)} is not a status code`);
        }
        return problems;
      }),
    ),
};
