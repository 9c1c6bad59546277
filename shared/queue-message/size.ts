/**
 * SQS's largest message, 1 MiB (the queue's MaximumMessageSize at its maximum; body and
 * message attributes count together).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
 */
export const sqsMaxMessageBytes = 1024 * 1024;

// API Gateway takes at most 10,240 bytes of request line and header values (REST API quotas,
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
// In the envelope they are base64 inside JSON punctuation. The worst growth is a two-letter
// query key without a value: `ab&` (3 bytes) becomes `"YWI=":"",` (10) among the pairs, plus
// 4 in the raw query the local gateway also carries: 14 for 3, so at most five times as many.
const requestLineAndHeaderBytes = 10_240;
const envelopeGrowth = 5;
// method, request id, time, source IP, domain name, stage and the JSON around them.
const gatewayValueBytes = 1024;

/**
 * The largest body that always fits in one REST API envelope of at most `maxMessageBytes`,
 * whatever headers and query come with it: what is left once the worst-case request line and
 * headers are taken, less base64's growth of 4/3. 762,624 bytes (744 KiB) for 1 MiB. A larger
 * body fits when the rest of the request is smaller, so the local gateway measures each message.
 */
export function guaranteedBodyBytes(maxMessageBytes = sqsMaxMessageBytes): number {
  const room = maxMessageBytes - requestLineAndHeaderBytes * envelopeGrowth - gatewayValueBytes;
  return Math.max(0, Math.floor(room / 4) * 3);
}
