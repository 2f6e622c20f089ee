import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { UserCreatedV1ConsumerDetail } from '@outboxed/contracts';

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
 * `{{name}}` is filled from the `TemplateData` of each email.
 *
 * @example await ses.send(new CreateEmailTemplateCommand({ TemplateName, TemplateContent: WELCOME_TEMPLATE_CONTENT }));
 */
export const WELCOME_TEMPLATE_CONTENT = {
  Subject: 'Welcome to outboxed, {{name}}',
  Text: 'Hello {{name}},\n\nyour outboxed account is ready.\n',
  Html: '<p>Hello {{name}},</p><p>your outboxed account is ready.</p>',
} as const;

/**
 * The tag carrying the event id on every welcome email, so a duplicate can be traced to its event.
 *
 * @example email.tags.find((t) => t.Name === EVENT_ID_TAG)?.Value; // the event id
 */
export const EVENT_ID_TAG = 'outboxed-event-id';

/**
 * The SES v2 `SendEmail` input of a user's welcome email: the configured template, filled with the user's name.
 *
 * @example await ses.send(new SendEmailCommand(welcomeEmail(event.detail, settings)));
 */
export function welcomeEmail(
  detail: UserCreatedV1ConsumerDetail,
  settings: WelcomeEmailSettings,
): SendEmailCommandInput {
  return {
    FromEmailAddress: settings.senderAddress,
    Destination: { ToAddresses: [detail.data.email] },
    Content: {
      Template: {
        TemplateName: settings.templateName,
        TemplateData: JSON.stringify({ name: detail.data.name }),
      },
    },
    EmailTags: [{ Name: EVENT_ID_TAG, Value: detail.metadata.id }],
  };
}
