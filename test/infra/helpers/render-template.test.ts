import { expect } from 'chai';
import type { Template } from './cloudformation-yaml.ts';
import { danglingReferences, renderTemplate } from './render-template.ts';

function makeTemplate(overrides: Partial<Template> = {}): Template {
  return {
    Parameters: {
      Flavour: { Type: 'String', AllowedValues: ['rest', 'http'], Default: 'rest' },
      SubnetIds: { Type: 'CommaDelimitedList' },
    },
    Conditions: {
      IsRest: { 'Fn::Equals': [{ Ref: 'Flavour' }, 'rest'] },
      UseVpc: { 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'SubnetIds' }] }, ''] }] },
      RestInVpc: { 'Fn::And': [{ Condition: 'IsRest' }, { Condition: 'UseVpc' }] },
    },
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Condition: 'IsRest', Properties: { Name: 'x' } },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          VpcConfig: { 'Fn::If': ['UseVpc', { SubnetIds: { Ref: 'SubnetIds' } }, { Ref: 'AWS::NoValue' }] },
          Layers: ['a', { 'Fn::If': ['RestInVpc', 'b', { Ref: 'AWS::NoValue' }] }],
        },
      },
    },
    Outputs: { ApiId: { Condition: 'IsRest', Value: { Ref: 'Api' } } },
    ...overrides,
  };
}

describe('renderTemplate', () => {
  it('keeps what the conditions choose and drops AWS::NoValue', () => {
    const rendered = renderTemplate(makeTemplate(), { Flavour: 'rest', SubnetIds: 'subnet-1,subnet-2' });

    expect(rendered.Resources).to.deep.equal({
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'x' } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SubnetIds: { Ref: 'SubnetIds' } }, Layers: ['a', 'b'] } },
    });
    expect(rendered.Outputs).to.have.keys('ApiId');
    expect(rendered).to.not.have.property('Conditions');
  });

  it('removes resources and outputs whose condition is false', () => {
    const rendered = renderTemplate(makeTemplate(), { Flavour: 'http', SubnetIds: '' });

    expect(rendered.Resources).to.deep.equal({ Fn: { Type: 'AWS::Lambda::Function', Properties: { Layers: ['a'] } } });
    expect(rendered.Outputs).to.deep.equal({});
  });

  it('evaluates Fn::Split, Fn::Sub and Fn::Select in a condition, as a prefix test does', () => {
    const template = makeTemplate({
      Parameters: { Name: { Type: 'String', Default: '' } },
      Conditions: { IsReference: { 'Fn::Equals': [{ 'Fn::Select': [0, { 'Fn::Split': ['/ref/', { 'Fn::Sub': 'x${Name}' }] }] }, 'x'] } },
      Resources: { Grant: { Type: 'AWS::IAM::Policy', Condition: 'IsReference', Properties: {} } },
      Outputs: {},
    });

    expect(Object.keys(renderTemplate(template, { Name: '/ref/secret' }).Resources)).to.deep.equal(['Grant']);
    expect(Object.keys(renderTemplate(template, { Name: '/plain/ref/' }).Resources)).to.deep.equal([]);
  });

  it('refuses values CloudFormation would refuse: a missing required parameter, a value not allowed, an unknown name', () => {
    expect(() => renderTemplate(makeTemplate(), {})).to.throw(/SubnetIds has no value and no default/);
    expect(() => renderTemplate(makeTemplate(), { Flavour: 'grpc', SubnetIds: '' })).to.throw(/Flavour=grpc is not one of rest, http/);
    expect(() => renderTemplate(makeTemplate(), { SubnetIds: '', Colour: 'x' })).to.throw(/Not parameters of the template: Colour/);
  });
});

describe('danglingReferences', () => {
  it('names Ref, GetAtt, Sub variables and DependsOn that point at a resource this configuration lacks', () => {
    const template = makeTemplate({
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          DependsOn: ['Gone'],
          Properties: { A: { Ref: 'Api' }, B: { 'Fn::GetAtt': ['Api', 'RootResourceId'] }, C: { 'Fn::Sub': 'x-${Api}-${AWS::Region}-${Fn.Arn}' } },
        },
      },
    });

    expect(danglingReferences(template)).to.deep.equal(['Fn: DependsOn Gone', 'Fn: Ref Api', 'Fn: Fn::GetAtt Api', 'Fn: ${Api} in Fn::Sub', 'Outputs.ApiId: Ref Api']);
  });
});
