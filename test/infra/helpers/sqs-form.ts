/** The SendMessage parameters API Gateway passes to SQS, in SQS API (upper camel case) spelling. */
export interface SendMessageParams {
  MessageBody: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

const knownFields = new Set(['Action', 'MessageBody', 'MessageGroupId', 'MessageDeduplicationId']);
// What a value looks like after URLEncoder: anything else was sent raw, and a raw & or + in a
// form value silently changes the message.
const encodedValue = /^(?:[A-Za-z0-9.*_+-]|%[0-9A-F]{2})*$/;

/**
 * Parses the body a REST API request template rendered for the SQS query API
 * (`Action=SendMessage&MessageBody=...`), strictly: every problem is listed — stray whitespace
 * or newlines, unknown or repeated fields, values that were not url-encoded, bad UTF-8.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export function parseSendMessageForm(form: string): SendMessageParams {
  const problems: string[] = [];
  const fields = new Map<string, string>();
  for (const pair of form.split('&')) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const raw = eq < 0 ? '' : pair.slice(eq + 1);
    if (!knownFields.has(name)) {
      problems.push(`unknown field ${JSON.stringify(name)}`);
      continue;
    }
    if (fields.has(name)) problems.push(`field ${name} appears twice`);
    if (!encodedValue.test(raw)) problems.push(`field ${name} is not url-encoded: ${JSON.stringify(raw.slice(0, 60))}`);
    const value = formDecode(raw);
    if (value === undefined) problems.push(`field ${name} is not UTF-8 once decoded`);
    else fields.set(name, value);
  }
  if (fields.get('Action') !== 'SendMessage') problems.push(`Action must be SendMessage (got ${JSON.stringify(fields.get('Action'))})`);
  if (!fields.has('MessageBody')) problems.push('MessageBody is missing');
  if (problems.length > 0) throw new Error(`Invalid SendMessage form: ${problems.join('; ')}`);

  const groupId = fields.get('MessageGroupId');
  const deduplicationId = fields.get('MessageDeduplicationId');
  return {
    MessageBody: fields.get('MessageBody')!,
    ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
    ...(deduplicationId === undefined ? {} : { MessageDeduplicationId: deduplicationId }),
  };
}

/** application/x-www-form-urlencoded decoding (`+` is a space, `%XX` a UTF-8 byte); undefined on bad UTF-8. */
function formDecode(raw: string): string | undefined {
  const bytes = Buffer.from(raw.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: SQS would refuse the request; the caller reports it.
    return undefined;
  }
}
