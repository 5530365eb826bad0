/**
 * Auth in route handlers: the reader principal of an API request, or a 401/403 whose
 * response carries `WWW-Authenticate` (RFC 6750), through the routes' ApiError path.
 */
import { ApiError } from '../http/errors';
import { type AuthFailure, type HeaderLike, type Principal, type Purpose, authenticate } from './principal';

export const REALM = 'tracedeck';

/** The WWW-Authenticate value for a failure (RFC 6750 error codes). */
export function wwwAuthenticate(failure: Pick<AuthFailure, 'reason'>): string {
  const error = failure.reason === 'invalid' ? ', error="invalid_token"' : failure.reason === 'forbidden' ? ', error="insufficient_scope"' : '';
  return `Bearer realm="${REALM}"${error}`;
}

/** Headers to send with an auth failure. */
export function failureHeaders(failure: AuthFailure): Record<string, string> {
  return failure.status === 503 ? { 'retry-after': '30' } : { 'www-authenticate': wwwAuthenticate(failure) };
}

export class AuthError extends ApiError {
  constructor(readonly failure: AuthFailure) {
    super(failure.status, failure.message, { reason: failure.reason });
    this.name = 'AuthError';
  }

  override toResponse(): Response {
    const response = super.toResponse();
    for (const [name, value] of Object.entries(failureHeaders(this.failure))) response.headers.set(name, value);
    response.headers.set('cache-control', 'no-store');
    return response;
  }
}

/** The principal of a request, or throws AuthError. */
export function requirePrincipal(request: Request | { headers: HeaderLike }, purpose: Purpose): Principal {
  const result = authenticate(request.headers, purpose);
  if (!result.ok) throw new AuthError(result);
  return result.principal;
}

/** The principal allowed to read, or throws AuthError (401/403/503). */
export function requireReader(request: Request | { headers: HeaderLike }): Principal {
  return requirePrincipal(request, 'read');
}
