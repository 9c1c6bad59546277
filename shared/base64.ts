/**
 * Standard, padded base64 (RFC 4648 section 4), as API Gateway's `$util.base64Encode` and
 * Node write it. `Buffer.from(text, 'base64')` skips what it cannot read instead of failing,
 * so text is checked against this first.
 */
export const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
