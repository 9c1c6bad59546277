import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord } from 'aws-lambda';

/**
 * Message attributes spelled two ways: the SQS API (`ReceiveMessage`, `SendMessage`) uses
 * `{DataType, StringValue, BinaryValue (bytes)}`; Lambda's SQS event uses
 * `{dataType, stringValue, binaryValue (base64), stringListValues, binaryListValues}`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */

/** Received attributes as Lambda's event spells them. */
export function toLambdaAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSRecord['messageAttributes'] {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([name, value]) => [name, toLambdaAttribute(value)]));
}

/**
 * Lambda's attributes as `SendMessage` takes them. An attribute with no usable value (only a
 * hand-made record has one) is left out: SQS would refuse the whole message for it.
 */
export function toSendAttributes(attributes: SQSRecord['messageAttributes'] | undefined): Record<string, MessageAttributeValue> {
  const converted: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {}) as [string, Partial<SQSMessageAttribute> | null][]) {
    if (typeof value?.dataType !== 'string') continue;
    if (typeof value.stringValue === 'string') converted[name] = { DataType: value.dataType, StringValue: value.stringValue };
    else if (typeof value.binaryValue === 'string') converted[name] = { DataType: value.dataType, BinaryValue: Buffer.from(value.binaryValue, 'base64') };
  }
  return converted;
}

function toLambdaAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
    ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map((bytes) => Buffer.from(bytes).toString('base64')),
    dataType: value.DataType ?? 'String',
  };
}
