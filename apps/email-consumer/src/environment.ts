/**
 * Environment variables of the email consumer's function, in one place (the kit's own are `CONSUMER_ENV` of
 * `@outboxed/consumer-kit`).
 *
 * @example process.env[EMAIL_ENV.senderAddress]; // 'welcome@outboxed.example'
 */
export const EMAIL_ENV = {
  /** The `From` address of the welcome email (its domain or itself must be a verified SES identity). */
  senderAddress: 'WELCOME_EMAIL_SENDER',
  /** The name of the SES template of the welcome email. */
  templateName: 'WELCOME_EMAIL_TEMPLATE',
} as const;
