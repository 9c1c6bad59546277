import { danglingReferences } from '../helpers/render-template.ts';
import type { Rule } from './rule.ts';

/**
 * A resource kept after a failed first create blocks the retry when its name is fixed ("already
 * exists"): RetainExceptOnCreate deletes what the rolled-back create made and keeps it on every
 * later operation. Whatever is retained on delete is retained on replacement too.
 */
export const retainExceptOnCreate: Rule = {
  title: 'retains stateful resources except on a failed create, and on replacement too',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html',
  check: ({ template }) =>
    Object.entries(template.Resources).flatMap(([id, resource]) => {
      const { DeletionPolicy, UpdateReplacePolicy } = resource;
      if (DeletionPolicy === 'Retain') return [`${id}: DeletionPolicy Retain keeps it after a failed create (use RetainExceptOnCreate)`];
      if (DeletionPolicy === 'RetainExceptOnCreate' && UpdateReplacePolicy !== 'Retain') return [`${id}: retained on delete but not on replacement`];
      return [];
    }),
};

/**
 * A Ref, GetAtt, Sub variable or DependsOn naming a resource that this configuration does not
 * create fails the whole stack before anything is made.
 */
export const noDanglingReferences: Rule = {
  title: 'refers only to resources this configuration creates',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/conditions-section-structure.html',
  check: ({ template }) => danglingReferences(template),
};
