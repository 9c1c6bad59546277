const alphabet = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') alphabet[c.charCodeAt(0)] = 1;

/**
 * Whether `text` is standard, padded base64 (RFC 4648 section 4), as API Gateway's
 * `$util.base64Encode` and Node write it: whole groups of four, `=` only as one or two padding
 * characters at the end. `Buffer.from(text, 'base64')` skips what it cannot read instead of
 * failing, so text is checked first. One pass over the character codes: several times faster
 * than a regular expression on a large body.
 */
export function isBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  for (let i = 0; i < length - padding; i++) {
    const code = text.charCodeAt(i);
    if (code > 127 || alphabet[code] === 0) return false;
  }
  return true;
}
