import { AppError } from '../../../shared/errors.ts';
import { secretVariables, type Provider } from '../../../shared/signatures/secrets.ts';

/** No secret to sign a sample with: a 409 naming the variable that holds it. */
export class SampleSecretMissingError extends AppError {
  constructor(provider: Provider, options?: ErrorOptions) {
    super(409, 'secret_not_configured', `No ${provider} signing secret is configured: set ${secretVariables[provider]} (then restart npm start)`, options);
  }
}
