import type { GatewayRequest } from './api-gateway-vtl.ts';
import type { SendMessageParams } from './sqs-form.ts';

/**
 * Evaluates one HTTP API parameter-mapping value as
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-parameter-mapping.html
 * describes: a lone `$request.…` / `$context.…` expression, or static text with `${…}`
 * variables in it. Header names are case-insensitive; repeated values are joined with commas.
 * `$context.requestTimeEpoch` is in seconds on HTTP APIs.
 *
 * Modelled, not known: a header the request lacks evaluates to an empty string.
 */
export function evaluateMappingValue(expression: string, request: GatewayRequest): string {
  if (/^\$(request|context)\.[A-Za-z0-9_.-]+$/.test(expression)) return variable(expression.slice(1), request);
  return expression.replace(/\$\{([^}]*)\}/g, (_, name: string) => variable(name, request));
}

function variable(name: string, request: GatewayRequest): string {
  if (name === 'request.body') return request.body.toString('utf8');
  if (name === 'request.path') return request.path;
  if (name.startsWith('request.header.')) {
    const wanted = name.slice('request.header.'.length).toLowerCase();
    return Object.entries(request.headers)
      .filter(([header]) => header.toLowerCase() === wanted)
      .map(([, value]) => value)
      .join(',');
  }
  // Variables of https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html,
  // which a first-class integration may map into any parameter
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-aws-services.html).
  const context: Record<string, string> = {
    'context.requestId': request.requestId,
    'context.requestTimeEpoch': String(Math.floor(request.requestTime / 1000)),
    'context.httpMethod': request.method,
    'context.identity.sourceIp': request.sourceIp,
    'context.domainName': request.domainName,
    'context.stage': request.stage,
  };
  const value = context[name];
  if (value === undefined) throw new Error(`The model has no mapping variable ${name}`);
  return value;
}

/**
 * The SendMessage parameters an `SQS-SendMessage` integration sends for a request. A
 * `MessageAttributes` mapping is not modelled: API Gateway has refused one at create time
 * (https://github.com/hashicorp/terraform-provider-aws/issues/17348), so none may be sent.
 */
export function evaluateSendMessage(requestParameters: Record<string, unknown>, request: GatewayRequest): SendMessageParams {
  if ('MessageAttributes' in requestParameters) throw new Error('A MessageAttributes mapping is not modelled: API Gateway may refuse it at create time');
  const value = (name: string): string | undefined => {
    const expression = requestParameters[name];
    if (expression === undefined) return undefined;
    if (typeof expression !== 'string') throw new Error(`RequestParameters.${name} is not static text: ${JSON.stringify(expression)}`);
    return evaluateMappingValue(expression, request);
  };
  const groupId = value('MessageGroupId');
  const deduplicationId = value('MessageDeduplicationId');
  return {
    MessageBody: value('MessageBody') ?? '',
    ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
    ...(deduplicationId === undefined ? {} : { MessageDeduplicationId: deduplicationId }),
  };
}

/**
 * The route an HTTP API picks for a request: an exact `METHOD /path` first, then the greedy
 * `{proxy+}` route with the longest matching prefix, then `$default`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
 */
export function selectRoute(routeKeys: readonly string[], method: string, path: string): string | undefined {
  const candidates = routeKeys.filter((key) => key !== '$default').map((key) => {
    const [keyMethod = '', keyPath = ''] = key.split(' ');
    return { key, keyMethod, keyPath };
  });
  const methodMatches = (keyMethod: string) => keyMethod === method || keyMethod === 'ANY';
  const exact = candidates.find((c) => methodMatches(c.keyMethod) && c.keyPath === path);
  if (exact) return exact.key;
  const greedy = candidates
    .filter((c) => methodMatches(c.keyMethod) && c.keyPath.endsWith('/{proxy+}'))
    .filter((c) => path.startsWith(c.keyPath.slice(0, -'{proxy+}'.length)) && path.length > c.keyPath.length - '{proxy+}'.length)
    .sort((a, b) => b.keyPath.length - a.keyPath.length)[0];
  if (greedy) return greedy.key;
  return routeKeys.includes('$default') ? '$default' : undefined;
}
