import { findInMap } from '../helpers/cloudformation-yaml.ts';
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

/** A client-controlled HTTP API mapping variable: `$request.…` or `${request.…}`. */
const clientVariable = /\$\{?request\./;

/**
 * No value a client sends can make an HTTP API `SQS-SendMessage` fail: HTTP API mappings escape
 * nothing, so client values (`request.*`) stay out of the group and the dedup id (SQS refuses
 * ids outside 1-128 printable ASCII), and in the body each sits on a line of its own after a
 * constant non-empty first line (a header value holds no CR or LF), the body itself last.
 * Nothing maps `MessageAttributes`: API Gateway has refused a static JSON one at create time
 * ("Invalid source ... specified for destination: MessageAttributes",
 * https://github.com/hashicorp/terraform-provider-aws/issues/17348; a `$context.authorizer` one
 * failed every send, "Unable to resolve property MessageAttributes",
 * https://github.com/hashicorp/terraform-provider-aws/issues/19443), and no AWS page says what
 * form it takes. Failures never answer 2xx.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services-reference.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export const httpApiMappingsCannotFailASend: Rule = {
  title: 'maps no MessageAttributes and lets no client-sent value make an HTTP API SendMessage fail',
  source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html',
  check: (deployment) =>
    resourcesOf(deployment, 'AWS::ApiGatewayV2::Integration')
      .filter(([, integration]) => integration.Properties?.IntegrationSubtype === 'SQS-SendMessage')
      .flatMap(([id, integration]) => {
        const parameters = (integration.Properties?.RequestParameters ?? {}) as Record<string, unknown>;
        const text = (name: string) => {
          const value = parameters[name];
          const mapped = typeof value === 'object' && value !== null && 'Fn::FindInMap' in value ? findInMap(deployment.template, value) : value;
          return typeof mapped === 'string' ? mapped : undefined;
        };
        const problems: string[] = [];
        for (const name of ['MessageGroupId', 'MessageDeduplicationId']) {
          const value = text(name);
          if (value === undefined || clientVariable.test(value)) problems.push(`${id}: ${name} must be static text or gateway-made values`);
          else if (!/^[!-~]{1,128}$/.test(value.replace(/\$\{context\.[A-Za-z.]+\}|\$context\.[A-Za-z.]+/g, 'x'))) problems.push(`${id}: ${name} has characters SQS refuses in an id`);
        }
        if ('MessageAttributes' in parameters) problems.push(`${id}: maps MessageAttributes, which API Gateway may refuse at create time`);
        const body = text('MessageBody') ?? '';
        const lines = body.split('\n');
        if (!lines[0] || clientVariable.test(lines[0])) problems.push(`${id}: MessageBody must start with a constant line, so it is never empty`);
        lines.forEach((line, index) => {
          const variables = [...line.matchAll(/\$\{?request\.([A-Za-z0-9.-]+)\}?/g)].map((match) => match[1] ?? '');
          const ownLine = variables.length <= 1 && /^([a-z0-9-]+: )?(\$\{request\.[A-Za-z0-9.-]+\}|\$request\.[A-Za-z0-9.-]+)$/.test(line);
          if (variables.length > 0 && !ownLine) problems.push(`${id}: MessageBody line ${index + 1} mixes a client-sent value with other text`);
          if (variables.includes('body') && index !== lines.length - 1) problems.push(`${id}: the request body must be the last thing in MessageBody`);
          if (variables.some((v) => !v.startsWith('header.') && v !== 'body' && v !== 'path')) problems.push(`${id}: MessageBody line ${index + 1} carries a value that may hold a newline`);
        });
        const responses = (integration.Properties?.ResponseParameters ?? {}) as Record<string, { ResponseParameters?: { Destination: string; Source: string }[] }>;
        for (const [status, map] of Object.entries(responses)) {
          const to = map.ResponseParameters?.find((p) => p.Destination === 'overwrite:statuscode')?.Source;
          if (!status.startsWith('2') && to?.startsWith('2')) problems.push(`${id}: SQS ${status} answers ${to}, as if the webhook were queued`);
        }
        return problems;
      }),
};

/**
 * REST API non-proxy integrations as API Gateway stores them: integration responses are keyed
 * by status code (two with one status cannot both exist), every status they (or a template's
 * `$context.responseOverride.status`) answer needs a method response, request template keys are
 * bare media types (selection ignores parameters), and with binary media types every response
 * converts to text (else a text answer is base64-decoded for a client accepting a binary type).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
 */
export const restIntegrationsAsStored: Rule = {
  title: 'gives REST integrations responses API Gateway can store and answer',
  source: 'https://docs.aws.amazon.com/apigateway/latest/api/API_IntegrationResponse.html',
  check: (deployment) => {
    const [api] = resourcesOf(deployment, 'AWS::ApiGateway::RestApi');
    const anyBinary = ((api?.[1].Properties?.BinaryMediaTypes ?? []) as string[]).length > 0;
    return resourcesOf(deployment, 'AWS::ApiGateway::Method').flatMap(([id, method]) => {
      const integration = method.Properties?.Integration as
        | { Type?: string; RequestTemplates?: Record<string, unknown>; IntegrationResponses?: { StatusCode: string; ContentHandling?: string; ResponseTemplates?: Record<string, unknown> }[] }
        | undefined;
      if (!integration || integration.Type === 'AWS_PROXY') return [];
      const problems: string[] = [];
      const responses = integration.IntegrationResponses ?? [];
      const statuses = responses.map((r) => r.StatusCode);
      for (const status of new Set(statuses)) if (statuses.filter((s) => s === status).length > 1) problems.push(`${id}: two integration responses with status ${status}`);
      const overridden = responses.flatMap((r) =>
        Object.values(r.ResponseTemplates ?? {}).flatMap((t) => {
          const text = typeof t === 'object' && t !== null && 'Fn::FindInMap' in t ? String(findInMap(deployment.template, t)) : String(t);
          return [...text.matchAll(/responseOverride\.status\s*=\s*(\d{3})/g)].map((m) => m[1] ?? '');
        }),
      );
      const declared = ((method.Properties?.MethodResponses ?? []) as { StatusCode: string }[]).map((r) => r.StatusCode);
      for (const status of new Set([...statuses, ...overridden])) if (!declared.includes(status)) problems.push(`${id}: status ${status} has no method response`);
      for (const type of Object.keys(integration.RequestTemplates ?? {})) if (!/^[a-z]+\/[a-z0-9.+-]+$/.test(type)) problems.push(`${id}: request template key ${type} is not a bare media type`);
      if (anyBinary) for (const r of responses) if (r.ContentHandling !== 'CONVERT_TO_TEXT') problems.push(`${id}: response ${r.StatusCode} does not convert to text, though the API has binary media types`);
      return problems;
    });
  },
};
