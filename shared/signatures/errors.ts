import { UnauthorizedError } from '../errors.ts';

/** Why a signature was rejected: the `code` of the 401 answer. */
export const signatureFailures = [
  'signature_missing',
  'signature_malformed',
  'signature_mismatch',
  'timestamp_invalid',
  'timestamp_out_of_tolerance',
  'body_hash_mismatch',
] as const;
type SignatureFailure = (typeof signatureFailures)[number];

/** A 401 whose `code` says why; the message names headers, never a secret or a digest. */
export class SignatureError extends UnauthorizedError {
  constructor(code: SignatureFailure, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
