/** A body as the console shows it: every view that fits the bytes. */
export interface BodyView {
  bytes: number;
  contentType?: string;
  /** The body as UTF-8 text; absent when it is not valid UTF-8. */
  text?: string;
  /** Base64 of the bytes, when they are not text. */
  base64?: string;
  /** Indented JSON, when the text parses as JSON. */
  json?: string;
  /** Name/value pairs in order, for a url-encoded form; the first `maxFormFields`. */
  form?: [string, string][];
  /** How many fields the form has, when it has more than are listed. */
  formFields?: number;
}

// Past these a view stops being readable, and an indented copy of a deeply nested document
// grows with the square of its depth: a 20 KB body would become hundreds of megabytes.
const maxFormFields = 1000;
const maxJsonDepth = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Every view of a body the console can show: raw text (or base64), pretty JSON when it parses,
 * form fields for a url-encoded body. The bytes come from anyone who posted a webhook, so it
 * never throws and its cost grows linearly with the body.
 */
export function describeBody(body: Buffer, contentType?: string): BodyView {
  const view: BodyView = { bytes: body.length, ...(contentType ? { contentType } : {}) };
  if (body.length === 0) return { ...view, text: '' };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    // Not UTF-8 (binary, or another charset): shown as base64, byte for byte.
    return { ...view, base64: body.toString('base64') };
  }
  const json = prettyJson(text);
  const isForm = contentType?.toLowerCase().includes('x-www-form-urlencoded') ?? false;
  return { ...view, text, ...(json === undefined ? {} : { json }), ...(isForm ? formView(text) : {}) };
}

function formView(text: string): Pick<BodyView, 'form' | 'formFields'> {
  const params = new URLSearchParams(text);
  const form: [string, string][] = [];
  for (const pair of params) {
    if (form.length === maxFormFields) return { form, formFields: params.size };
    form.push(pair);
  }
  return { form };
}

function prettyJson(text: string): string | undefined {
  const start = text.trimStart()[0];
  if ((start !== '{' && start !== '[') || nestingDepth(text) > maxJsonDepth) return undefined;
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Looks like JSON but is not: the raw view shows it as sent.
    return undefined;
  }
}

/** The deepest bracket nesting outside strings, in one pass. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i += 1;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return deepest;
}
