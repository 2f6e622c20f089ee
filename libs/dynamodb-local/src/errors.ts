/** Base class of every error this package throws. */
export class DynamoDbLocalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `java` is not on the PATH, or is older than DynamoDB Local needs. */
export class JavaNotFoundError extends DynamoDbLocalError {}

/** DynamoDB Local exited, or did not answer, before it was ready. */
export class DynamoDbLocalStartError extends DynamoDbLocalError {}
