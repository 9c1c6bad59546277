import { expect } from 'chai';
import type { Resource } from '../helpers/cloudformation-yaml.ts';
import type { RenderedDeployment } from '../helpers/deployments.ts';
import { httpApiResponseParameterMaps } from './api-gateway.ts';
import { noDanglingReferences, retainExceptOnCreate } from './lifecycle.ts';

// Each deploy-readiness rule, shown a template that breaks it: the rules can fail.
export function makeDeployment(resources: Record<string, Resource>, overrides: Partial<RenderedDeployment> = {}): RenderedDeployment {
  return { file: 'infra/test.yaml', name: 'a test configuration', parameters: {}, template: { Resources: resources }, ...overrides };
}

describe('deploy-readiness rules', () => {
  describe('httpApiResponseParameterMaps', () => {
    it('names a status code mapped to a bare list, a bad destination and a key that is no status code', () => {
      const deployment = makeDeployment({
        Integration: {
          Type: 'AWS::ApiGatewayV2::Integration',
          Properties: {
            ResponseParameters: {
              '200': [{ Destination: 'overwrite:statuscode', Source: '202' }],
              '400': { ResponseParameters: [{ Destination: 'overwrite:body', Source: 'x' }] },
              '700': { ResponseParameters: [{ Destination: 'overwrite:statuscode', Source: 'ok' }] },
            },
          },
        },
      });

      expect(httpApiResponseParameterMaps.check(deployment)).to.deep.equal([
        "Integration.ResponseParameters['200']: must be { ResponseParameters: [{ Destination, Source }] }",
        "Integration.ResponseParameters['400']: Destination overwrite:body is not a response parameter",
        "Integration.ResponseParameters['700']: the key must be a status code from 200 to 599",
        "Integration.ResponseParameters['700']: status code ok is not a status code",
      ]);
    });
  });

  describe('retainExceptOnCreate', () => {
    it('names a Retain policy and a retained resource that a replacement would delete', () => {
      const deployment = makeDeployment({
        Queue: { Type: 'AWS::SQS::Queue', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' },
        Table: { Type: 'AWS::DynamoDB::Table', DeletionPolicy: 'RetainExceptOnCreate' },
        Logs: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete' },
      });

      expect(retainExceptOnCreate.check(deployment)).to.deep.equal([
        'Queue: DeletionPolicy Retain keeps it after a failed create (use RetainExceptOnCreate)',
        'Table: retained on delete but not on replacement',
      ]);
    });
  });

  describe('noDanglingReferences', () => {
    it('names a reference to a resource the configuration does not create', () => {
      const deployment = makeDeployment({ Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'AlarmTopic' }] } } });

      expect(noDanglingReferences.check(deployment)).to.deep.equal(['Alarm: Ref AlarmTopic']);
    });
  });
});
