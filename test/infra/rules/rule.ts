import type { Resource } from '../helpers/cloudformation-yaml.ts';
import type { RenderedDeployment } from '../helpers/deployments.ts';

/**
 * Something AWS documents that a template must satisfy and that the offline validators do not
 * check. `check` lists each problem in one deployment; an empty list means it holds.
 */
export interface Rule {
  /** What holds, phrased as a test title. */
  title: string;
  /** The AWS documentation the rule is written from. */
  source: string;
  check(deployment: RenderedDeployment): string[];
}

/** Resources of the given types, with their logical ids. */
export function resourcesOf(deployment: RenderedDeployment, ...types: string[]): [string, Resource][] {
  return Object.entries(deployment.template.Resources).filter(([, resource]) => types.includes(resource.Type));
}

/** The logical id a `Ref` or `Fn::GetAtt` names, else undefined. */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { Ref, 'Fn::GetAtt': getAtt } = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof Ref === 'string') return Ref;
  if (Array.isArray(getAtt)) return String(getAtt[0]);
  return undefined;
}
