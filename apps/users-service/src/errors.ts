/**
 * Base class of every error the users service throws on purpose. Never sent to HTTP clients as is: the API
 * maps known failures to 4xx answers and everything else to a 500 without internal text.
 *
 * @example if (error instanceof UsersServiceError) logger.error('users service error', { reason: error.name });
 */
export class UsersServiceError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A required setting (environment variable) is missing or invalid.
 *
 * @example throw new ConfigurationError('Environment variable USERS_TABLE_NAME is not set.');
 */
export class ConfigurationError extends UsersServiceError {}

/**
 * The transaction creating a user was cancelled for a reason the API cannot answer with a 4xx
 * (e.g. a user id collision or a conflict that outlasted the retries). Carries the cancellation reasons.
 *
 * @example throw new UserWriteError('Transaction cancelled: [None, TransactionConflict]', { cause });
 */
export class UserWriteError extends UsersServiceError {}
