import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FieldError } from '../../domain/field-error';

/**
 * Largest request body accepted, in bytes (after base64 decoding). Larger bodies get 413.
 *
 * @example if (bytes.byteLength > MAX_BODY_BYTES) return 413;
 */
export const MAX_BODY_BYTES = 4096;

/**
 * Header carrying the correlation id, read from requests and echoed on every response.
 *
 * @example header(event, CORRELATION_ID_HEADER)
 */
export const CORRELATION_ID_HEADER = 'x-correlation-id';
/**
 * Header making a `POST /users` safe to retry.
 *
 * @example header(event, IDEMPOTENCY_KEY_HEADER)
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The JSON error body of every 4xx/5xx answer: a summary and one entry per field at fault.
 *
 * @example const body: ErrorBody = { message: 'The request body is invalid.', errors: [{ field: 'email', message: 'email is required.' }] };
 */
export interface ErrorBody {
  readonly message: string;
  readonly errors: readonly FieldError[];
}

/**
 * Why a request was refused before reaching the domain: the status (400, 413 or 415) and the errors.
 *
 * @example if (!body.ok) return errorResponse(body.statusCode, { message: body.message, errors: body.errors });
 */
export interface RequestRejection {
  readonly ok: false;
  readonly statusCode: 400 | 413 | 415;
  readonly message: string;
  readonly errors: readonly FieldError[];
}

/**
 * Reads a JSON request body: checks the content type (415), the size (413), presence and JSON syntax (400).
 * Base64-encoded bodies (as API Gateway sends binary media types) are decoded first.
 *
 * @example const body = readJsonBody(event); if (!body.ok) return errorResponse(body.statusCode, body);
 */
export function readJsonBody(
  event: APIGatewayProxyEventV2,
): { readonly ok: true; readonly value: unknown } | RequestRejection {
  const contentType = header(event, 'content-type');
  if (!isJsonContentType(contentType)) {
    return {
      ok: false,
      statusCode: 415,
      message: 'The request body must be JSON.',
      errors: [
        {
          field: 'Content-Type',
          message:
            contentType === undefined
              ? 'Content-Type is required; send application/json.'
              : `Content-Type must be application/json (charset utf-8), received ${truncate(contentType, 100)}.`,
        },
      ],
    };
  }
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > MAX_BODY_BYTES) {
    return {
      ok: false,
      statusCode: 413,
      message: 'The request body is too large.',
      errors: [
        {
          field: 'body',
          message: `body must be at most ${MAX_BODY_BYTES} bytes, received ${bytes.byteLength}.`,
        },
      ],
    };
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') {
    return {
      ok: false,
      statusCode: 400,
      message: 'The request body is missing.',
      errors: [{ field: 'body', message: 'body is required: send a JSON object.' }],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return {
      ok: false,
      statusCode: 400,
      message: 'The request body is not valid JSON.',
      errors: [
        { field: 'body', message: 'body must be valid JSON (RFC 8259); check quotes, commas and brackets.' },
      ],
    };
  }
}

function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [mediaType = '', ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, parameterValue = ''] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || parameterValue.replaceAll('"', '') === 'utf-8';
  });
}

/**
 * A request header by name, case-insensitively (API Gateway's payload v2 lower-cases them already).
 *
 * @example header(event, 'Idempotency-Key')
 */
export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * The request's correlation id: the `x-correlation-id` header when it is a safe token
 * (1–128 of `A-Z a-z 0-9 . _ : -`), otherwise a new one.
 *
 * @example const correlationId = correlationIdOf(event, () => randomUUID());
 */
export function correlationIdOf(
  event: APIGatewayProxyEventV2,
  create: () => string,
): { readonly correlationId: string; readonly received: boolean } {
  const value = header(event, CORRELATION_ID_HEADER);
  if (value !== undefined && CORRELATION_ID.test(value)) return { correlationId: value, received: true };
  return { correlationId: create(), received: false };
}

/**
 * The `Idempotency-Key` header, validated: absent, a key of 1–255 visible ASCII characters, or an error.
 *
 * @example const key = idempotencyKeyOf(event); if (key.ok && key.value) …
 */
export function idempotencyKeyOf(
  event: APIGatewayProxyEventV2,
):
  | { readonly ok: true; readonly value: string | undefined }
  | { readonly ok: false; readonly errors: readonly FieldError[] } {
  const value = header(event, IDEMPOTENCY_KEY_HEADER);
  if (value === undefined) return { ok: true, value: undefined };
  if (IDEMPOTENCY_KEY.test(value)) return { ok: true, value };
  return {
    ok: false,
    errors: [
      {
        field: 'Idempotency-Key',
        message:
          'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID or ULID is a good choice).',
      },
    ],
  };
}

/**
 * A JSON response with the headers every answer carries (content type, no caching, the correlation id).
 *
 * @example return jsonResponse(201, user, correlationId, { location: `/users/${user.id}` });
 */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  correlationId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      [CORRELATION_ID_HEADER]: correlationId,
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/**
 * An error answer: `{ message, errors: [{ field, message }] }`.
 *
 * @example return errorResponse(404, { message: 'No user has this id.', errors: [] }, correlationId);
 */
export function errorResponse(
  statusCode: number,
  body: ErrorBody,
  correlationId: string,
): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(statusCode, { message: body.message, errors: body.errors }, correlationId);
}

function truncate(value: string, length: number): string {
  return value.length <= length ? value : `${value.slice(0, length)}…`;
}
