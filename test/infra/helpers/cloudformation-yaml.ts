import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** A template as CloudFormation reads it: short-form tags become their `Ref` / `Fn::` objects. */
export interface Template {
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, Record<string, unknown>>;
}

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html
const functionTags = new Set([
  'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform',
  'And', 'Equals', 'If', 'Not', 'Or',
]);

/**
 * Reads a CloudFormation YAML template. Fails on anything CloudFormation would refuse that YAML
 * itself allows: aliases ("YAML aliases are not allowed in CloudFormation templates") and
 * unknown `!` tags.
 */
export function loadTemplate(path: string): Template {
  const doc = parseDocument(readFileSync(path, 'utf8'), { uniqueKeys: true });
  const unresolvedTag = /^Unresolved tag/;
  const problems = [...doc.errors.map((e) => e.message), ...doc.warnings.filter((w) => !unresolvedTag.test(w.message)).map((w) => w.message)];
  if (problems.length > 0) throw new Error(`${path}: ${problems.join('; ')}`);
  return toCloudFormation(doc.contents, path) as Template;
}

function toCloudFormation(node: unknown, path: string): unknown {
  let value: unknown;
  let tag: string | undefined;
  if (isAlias(node)) throw new Error(`${path}: YAML aliases are not allowed in CloudFormation templates (*${node.source})`);
  if (isMap(node)) {
    tag = node.tag;
    value = Object.fromEntries(node.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), toCloudFormation(pair.value, path)]));
  } else if (isSeq(node)) {
    tag = node.tag;
    value = node.items.map((item) => toCloudFormation(item, path));
  } else if (isScalar(node)) {
    tag = node.tag;
    value = node.value;
  } else if (node === null || node === undefined) {
    return null;
  } else {
    throw new Error(`${path}: unexpected YAML node of type ${typeof node}`);
  }
  if (tag === undefined || !tag.startsWith('!')) return value;

  const name = tag.slice(1);
  if (name === 'Ref') return { Ref: value };
  if (name === 'Condition') return { Condition: value };
  if (!functionTags.has(name)) throw new Error(`${path}: unknown tag ${tag}`);
  // The short form of GetAtt takes "Resource.Attribute".
  if (name === 'GetAtt' && typeof value === 'string') {
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${name}`]: value };
}

/** The value of `Fn::FindInMap [map, key, name]` (static keys only, as the service template uses). */
export function findInMap(template: Template, reference: unknown): unknown {
  const args = (reference as { 'Fn::FindInMap'?: unknown })['Fn::FindInMap'];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new Error(`Not a static Fn::FindInMap: ${JSON.stringify(reference)}`);
  const [map, key, name] = args as [string, string, string];
  const value = template.Mappings?.[map]?.[key]?.[name];
  if (value === undefined) throw new Error(`No mapping ${map}.${key}.${name}`);
  return value;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type));
}

export function resource(template: Template, logicalId: string): Resource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`No resource ${logicalId}`);
  return found;
}
