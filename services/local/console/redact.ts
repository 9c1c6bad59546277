/** Headers whose values are credentials, never shown. */
const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token']);

const redacted = '[redacted]';

export interface Redactor {
  /** The header's value, or `[redacted]` for a credential header. */
  header(name: string, value: string): string;
  /** The text with every configured secret replaced by `[redacted]`. */
  text(text: string): string;
}

/**
 * Hides what the console must never show: credential headers, and the signing secrets
 * themselves wherever they appear (a body or an answer that echoes one). Signatures derived
 * from a secret are shown: they are what the provider sent, and do not reveal the secret.
 */
export function createRedactor(secrets: readonly string[]): Redactor {
  // A whsec_ secret's key part is a secret too; longest first, so no part of a longer one is left.
  const values = [...new Set(secrets.flatMap((secret) => [secret, secret.replace(/^whsec_/, '')]))]
    .filter((value) => value !== '')
    .sort((a, b) => b.length - a.length);
  const text = (input: string) => values.reduce((result, secret) => result.replaceAll(secret, redacted), input);
  return {
    header: (name, value) => (secretHeaders.has(name.toLowerCase()) ? redacted : text(value)),
    text,
  };
}
