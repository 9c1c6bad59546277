import type { Resource, Template } from './cloudformation-yaml.ts';

/** Parameter values of one deployment, as `--parameter-overrides` gives them (lists comma-separated). */
export type ParameterValues = Record<string, string>;

/** The pseudo parameters every rendering uses (one account, one region). */
export const pseudoParameters: Record<string, string> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'eu-west-1',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'acme-service',
  'AWS::StackId': 'arn:aws:cloudformation:eu-west-1:123456789012:stack/acme-service/00000000-0000-0000-0000-000000000000',
};

/**
 * The template CloudFormation would deploy for these parameter values: conditions evaluated,
 * resources and outputs whose condition is false removed, every `Fn::If` replaced by its
 * chosen branch and `AWS::NoValue` dropped. `Ref`s to parameters stay (the validator is given
 * the values). Throws when a value a parameter needs is missing, as CloudFormation refuses the
 * stack then. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
 */
export function renderTemplate(template: Template, values: ParameterValues): Template {
  const parameters = resolveParameters(template, values);
  const conditions = evaluateConditions(template, parameters);
  const holds = (name: string) => {
    const result = conditions.get(name);
    if (result === undefined) throw new Error(`Unknown condition ${name}`);
    return result;
  };
  const keep = (entry: { Condition?: unknown }) => typeof entry.Condition !== 'string' || holds(entry.Condition);

  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, resource]) => keep(resource))
      .map(([id, resource]) => [id, pruneIf(withoutKey(resource, 'Condition'), holds) as Resource]),
  );
  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {})
      .filter(([, output]) => keep(output))
      .map(([id, output]) => [id, pruneIf(withoutKey(output, 'Condition'), holds) as Record<string, unknown>]),
  );
  return { ...withoutKey(template, 'Conditions'), Resources: resources, Outputs: outputs };
}

function withoutKey<T extends object>(value: T, key: string): T {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key)) as T;
}

/** Each parameter's value (given, else its default) after its type and constraints are checked. */
export function resolveParameters(template: Template, values: ParameterValues): Record<string, string | string[]> {
  const unknown = Object.keys(values).filter((name) => !(name in (template.Parameters ?? {})));
  if (unknown.length > 0) throw new Error(`Not parameters of the template: ${unknown.join(', ')}`);
  const resolved: Record<string, string | string[]> = {};
  const problems: string[] = [];
  for (const [name, definition] of Object.entries(template.Parameters ?? {})) {
    const fallback = definition.Default as string | number | undefined;
    const raw = values[name] ?? (fallback === undefined ? undefined : String(fallback));
    if (raw === undefined) {
      problems.push(`${name} has no value and no default`);
      continue;
    }
    const pattern = typeof definition.AllowedPattern === 'string' ? new RegExp(`^(?:${definition.AllowedPattern})$`) : undefined;
    const isList = String(definition.Type).startsWith('CommaDelimitedList') || String(definition.Type).startsWith('List<');
    const items = isList ? raw.split(',') : [raw];
    if (pattern && !items.every((item) => pattern.test(item))) problems.push(`${name}=${raw} does not match ${String(definition.AllowedPattern)}`);
    const allowed = definition.AllowedValues as unknown[] | undefined;
    if (allowed && !allowed.map(String).includes(raw)) problems.push(`${name}=${raw} is not one of ${allowed.join(', ')}`);
    if (definition.Type === 'Number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (definition.MinValue !== undefined && n < Number(definition.MinValue)) || (definition.MaxValue !== undefined && n > Number(definition.MaxValue))) {
        problems.push(`${name}=${raw} is not a number in range`);
      }
    }
    resolved[name] = isList ? items : raw;
  }
  if (problems.length > 0) throw new Error(`Parameters CloudFormation would refuse: ${problems.join('; ')}`);
  return resolved;
}

function evaluateConditions(template: Template, parameters: Record<string, string | string[]>): Map<string, boolean> {
  const definitions = template.Conditions ?? {};
  const results = new Map<string, boolean>();
  const evaluating = new Set<string>();

  const condition = (name: string): boolean => {
    const known = results.get(name);
    if (known !== undefined) return known;
    if (!(name in definitions)) throw new Error(`Unknown condition ${name}`);
    if (evaluating.has(name)) throw new Error(`Condition ${name} refers to itself`);
    evaluating.add(name);
    const result = truth(definitions[name]);
    results.set(name, result);
    return result;
  };
  const truth = (node: unknown): boolean => {
    const [fn, args] = single(node);
    if (fn === 'Condition') return condition(args as string);
    if (fn === 'Fn::Not') return !truth((args as unknown[])[0]);
    if (fn === 'Fn::And') return (args as unknown[]).every(truth);
    if (fn === 'Fn::Or') return (args as unknown[]).some(truth);
    if (fn === 'Fn::Equals') {
      const [a, b] = (args as unknown[]).map(value);
      return JSON.stringify(a) === JSON.stringify(b);
    }
    throw new Error(`Unsupported condition function ${fn}`);
  };
  const value = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return typeof node === 'number' ? String(node) : node;
    const [fn, args] = single(node);
    if (fn === 'Ref') {
      const name = args as string;
      if (name in parameters) return parameters[name];
      if (name in pseudoParameters) return pseudoParameters[name];
      throw new Error(`Conditions may only refer to parameters: Ref ${name}`);
    }
    if (fn === 'Fn::Join') {
      const [separator, list] = args as [string, unknown];
      return (value(list) as unknown[]).map((item) => value(item)).join(separator);
    }
    if (fn === 'Fn::Select') {
      const [index, list] = args as [number | string, unknown];
      return (value(list) as unknown[])[Number(index)];
    }
    // Fn::Split keeps empty parts ("a||" gives a, "", "").
    if (fn === 'Fn::Split') {
      const [separator, source] = args as [string, unknown];
      return String(value(source)).split(separator);
    }
    if (fn === 'Fn::Sub' && typeof args === 'string') {
      return args.replace(/\$\{([^!}][^}]*)\}/g, (_, name: string) => String(value({ Ref: name })));
    }
    throw new Error(`Unsupported function in a condition: ${fn}`);
  };

  for (const name of Object.keys(definitions)) condition(name);
  return results;
}

function single(node: unknown): [string, unknown] {
  const entries = typeof node === 'object' && node !== null ? Object.entries(node) : [];
  if (entries.length !== 1) throw new Error(`Not an intrinsic function: ${JSON.stringify(node)}`);
  return entries[0] as [string, unknown];
}

const noValue = Symbol('AWS::NoValue');

function pruneIf(node: unknown, holds: (condition: string) => boolean): unknown {
  const pruned = prune(node, holds);
  return pruned === noValue ? undefined : pruned;
}

function prune(node: unknown, holds: (condition: string) => boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => prune(item, holds)).filter((item) => item !== noValue);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node);
  if (entries.length === 1) {
    const [key, args] = entries[0] as [string, unknown];
    if (key === 'Ref' && args === 'AWS::NoValue') return noValue;
    if (key === 'Fn::If') {
      const [name, whenTrue, whenFalse] = args as [string, unknown, unknown];
      return prune(holds(name) ? whenTrue : whenFalse, holds);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of entries) {
    const value = prune(child, holds);
    if (value !== noValue) out[key] = value;
  }
  return out;
}

/**
 * Every logical id a resource or output refers to (`Ref`, `Fn::GetAtt`, `${X}` / `${X.Attr}` in
 * `Fn::Sub`, `DependsOn`) that names neither a resource, a parameter nor a pseudo parameter.
 * CloudFormation refuses such a template ("Unresolved resource dependencies").
 */
export function danglingReferences(template: Template): string[] {
  const known = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters ?? {}), ...Object.keys(pseudoParameters), 'AWS::NoValue', 'AWS::NotificationARNs']);
  const problems: string[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, where));
    if (typeof node !== 'object' || node === null) return;
    for (const [key, child] of Object.entries(node)) {
      if (key === 'Ref' && typeof child === 'string' && !known.has(child)) problems.push(`${where}: Ref ${child}`);
      if (key === 'Fn::GetAtt') {
        const target = Array.isArray(child) ? String(child[0]) : String(child).split('.')[0];
        if (!known.has(target ?? '')) problems.push(`${where}: Fn::GetAtt ${target}`);
      }
      if (key === 'Fn::Sub') {
        const [text, variables] = Array.isArray(child) ? (child as [string, Record<string, unknown>]) : [child as string, {}];
        for (const match of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = (match[1] ?? '').split('.')[0] ?? '';
          if (!known.has(name) && !(name in variables)) problems.push(`${where}: \${${match[1]}} in Fn::Sub`);
        }
      }
      visit(child, where);
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    for (const dependency of [resource.DependsOn ?? []].flat()) {
      if (!(dependency in template.Resources)) problems.push(`${id}: DependsOn ${dependency}`);
    }
    visit(resource.Properties, id);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) visit(output, `Outputs.${id}`);
  return problems;
}
