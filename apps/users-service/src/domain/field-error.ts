/**
 * One reason a request was rejected, naming the field at fault (`body` for the body as a whole, a header's
 * name for a header). Sent to clients in the `errors` array of every 4xx answer.
 *
 * @example const error: FieldError = { field: 'email', message: 'email is required.' };
 */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * The result of validating client input: the parsed value, or every error found (never only the first).
 *
 * @example const result = parseCreateUserRequest(body); if (!result.ok) return badRequest(result.errors);
 */
export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly FieldError[] };
