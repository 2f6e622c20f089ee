import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { ReaderDetailOf, userCreatedV1 } from '@outboxed/contracts';

/**
 * Where the welcome email comes from and what it looks like.
 *
 * @example welcomeEmail(detail, { senderAddress: 'welcome@outboxed.example', templateName: 'Welcome' });
 */
export interface WelcomeEmailSettings {
  readonly senderAddress: string;
  readonly templateName: string;
}

/**
 * The welcome email's SES template (SES v2 `EmailTemplateContent`): the stack deploys it as `AWS::SES::Template`;
 * `{{name}}` is filled from the `TemplateData` of each email, with {@link greetingName} of the user's name. The
 * subject holds no text the signing-up caller chose: anyone can sign up any address, so a subject carrying their
 * text would let them send their message from our domain (see the users-service README, Abuse of the public sign-up).
 *
 * @example await ses.send(new CreateEmailTemplateCommand({ TemplateName, TemplateContent: WELCOME_TEMPLATE_CONTENT }));
 */
export const WELCOME_TEMPLATE_CONTENT = {
  Subject: 'Welcome to outboxed',
  Text: 'Hello {{name}},\n\nyour outboxed account is ready.\n',
  Html: '<p>Hello {{name}},</p><p>your outboxed account is ready.</p>',
} as const;

/**
 * The tag carrying the event id on every welcome email, so a duplicate can be traced to its event.
 *
 * @example email.tags.find((t) => t.Name === EVENT_ID_TAG)?.Value; // the event id
 */
export const EVENT_ID_TAG = 'outboxed-event-id';

/** Letters (any script) and combining marks, then letters, marks, spaces, apostrophes or hyphens: 1 to 40 characters. */
const GREETABLE_NAME = /^[\p{L}\p{M}][\p{L}\p{M}' -]{0,39}$/u;

/** What the email calls a user whose name is not {@link GREETABLE_NAME}. */
export const FALLBACK_GREETING_NAME = 'there';

/**
 * The name the welcome email greets the user with: their name when it is only letters, marks, spaces, apostrophes
 * and hyphens, at most 40 characters; otherwise "there". No digit, dot, slash, colon or `@` ever reaches the email,
 * so a name cannot carry a link, an address or a phone number to whoever owns the address that was signed up.
 *
 * @example greetingName('Ada Lovelace') // 'Ada Lovelace'; greetingName('win $$$ at evil.example') // 'there'
 */
export function greetingName(name: string): string {
  const trimmed = name.trim();
  return GREETABLE_NAME.test(trimmed) ? trimmed : FALLBACK_GREETING_NAME;
}

/**
 * The SES v2 `SendEmail` input of a user's welcome email: the configured template, greeting the user by
 * {@link greetingName}.
 *
 * @example await ses.send(new SendEmailCommand(welcomeEmail(event.detail, settings)));
 */
export function welcomeEmail(
  detail: ReaderDetailOf<typeof userCreatedV1>,
  settings: WelcomeEmailSettings,
): SendEmailCommandInput {
  return {
    FromEmailAddress: settings.senderAddress,
    Destination: { ToAddresses: [detail.data.email] },
    Content: {
      Template: {
        TemplateName: settings.templateName,
        TemplateData: JSON.stringify({ name: greetingName(detail.data.name) }),
      },
    },
    EmailTags: [{ Name: EVENT_ID_TAG, Value: detail.metadata.id }],
  };
}
