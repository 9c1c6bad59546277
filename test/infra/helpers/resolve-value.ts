import type { Resource, Template } from './cloudformation-yaml.ts';
import { pseudoParameters, resolveParameters, type ParameterValues } from './render-template.ts';

const { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': partition } = pseudoParameters;

/**
 * What `Ref` and `Fn::GetAtt` return for the resources the rules look at, from their
 * documented return values (CloudFormation template reference, "Return values" of each type).
 * Resources without a fixed name get a made-up one from their logical id, as CloudFormation would.
 */
function physical(id: string, resource: Resource, resolve: (node: unknown) => unknown): { ref: string; attributes: Record<string, string> } {
  const props = resource.Properties ?? {};
  const name = (property: string) => (props[property] === undefined ? `acme-service-${id}-ABC123` : String(resolve(props[property])));
  switch (resource.Type) {
    case 'AWS::SQS::Queue': {
      const queue = name('QueueName');
      return { ref: `https://sqs.${region}.amazonaws.com/${account}/${queue}`, attributes: { Arn: `arn:${partition}:sqs:${region}:${account}:${queue}`, QueueName: queue, QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${queue}` } };
    }
    case 'AWS::DynamoDB::Table': {
      const table = name('TableName');
      return { ref: table, attributes: { Arn: `arn:${partition}:dynamodb:${region}:${account}:table/${table}` } };
    }
    case 'AWS::Logs::LogGroup': {
      const group = name('LogGroupName');
      return { ref: group, attributes: { Arn: `arn:${partition}:logs:${region}:${account}:log-group:${group}:*` } };
    }
    case 'AWS::Lambda::Function': {
      const fn = name('FunctionName');
      return { ref: fn, attributes: { Arn: `arn:${partition}:lambda:${region}:${account}:function:${fn}` } };
    }
    case 'AWS::IAM::Role':
      return { ref: `${id}Name`, attributes: { Arn: `arn:${partition}:iam::${account}:role/${id}Name` } };
    case 'AWS::IAM::ManagedPolicy':
      return { ref: `arn:${partition}:iam::${account}:policy/${id}`, attributes: {} };
    case 'AWS::SNS::Topic': {
      const topic = name('TopicName');
      return { ref: `arn:${partition}:sns:${region}:${account}:${topic}`, attributes: { TopicArn: `arn:${partition}:sns:${region}:${account}:${topic}`, TopicName: topic } };
    }
    case 'AWS::KMS::Key':
      return { ref: `${id}-key-id`, attributes: { Arn: `arn:${partition}:kms:${region}:${account}:key/${id}-key-id` } };
    default:
      return { ref: `${id}-id`, attributes: new Proxy({}, { get: (_, attribute) => `${id}.${String(attribute)}` }) };
  }
}

/**
 * Resolves intrinsic functions in a rendered template to the text CloudFormation would produce
 * (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`), for the rules that
 * compare ARNs and names. Lists of parameters resolve to arrays.
 */
export function createResolver(template: Template, values: ParameterValues): (node: unknown) => unknown {
  const parameters = resolveParameters(template, values);
  const cache = new Map<string, ReturnType<typeof physical>>();
  const resourceValue = (id: string) => {
    const resource = template.Resources[id];
    if (!resource) throw new Error(`No resource ${id}`);
    let value = cache.get(id);
    if (!value) cache.set(id, (value = physical(id, resource, resolve)));
    return value;
  };
  const variable = (name: string): unknown => {
    if (name in parameters) return parameters[name];
    if (name in pseudoParameters) return pseudoParameters[name];
    const [id = '', attribute] = name.split('.');
    return attribute === undefined ? resourceValue(id).ref : resourceValue(id).attributes[attribute];
  };
  const resolve = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(resolve);
    if (typeof node !== 'object' || node === null) return node;
    const entries = Object.entries(node);
    const [fn, args] = (entries[0] ?? []) as [string, unknown];
    if (entries.length === 1 && fn === 'Ref') return variable(args as string);
    if (entries.length === 1 && fn === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(args) ? (args as [string, string]) : (String(args).split('.') as [string, string]);
      return resourceValue(id).attributes[attribute];
    }
    if (entries.length === 1 && fn === 'Fn::Sub') {
      const [text, locals] = Array.isArray(args) ? (args as [string, Record<string, unknown>]) : [args as string, {}];
      return text.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => String(name in locals ? resolve(locals[name]) : variable(name)));
    }
    if (entries.length === 1 && fn === 'Fn::Join') {
      const [separator, list] = args as [string, unknown];
      return (resolve(list) as unknown[]).map((item) => String(resolve(item))).join(separator);
    }
    if (entries.length === 1 && fn === 'Fn::Select') {
      const [index, list] = args as [unknown, unknown];
      return (resolve(list) as unknown[])[Number(resolve(index))];
    }
    if (entries.length === 1 && fn === 'Fn::Split') {
      const [separator, text] = args as [string, unknown];
      return String(resolve(text)).split(separator);
    }
    return Object.fromEntries(entries.map(([key, child]) => [key, resolve(child)]));
  };
  return resolve;
}
