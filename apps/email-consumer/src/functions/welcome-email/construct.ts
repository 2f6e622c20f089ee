import { join } from 'node:path';
import { EventConsumer } from '@outboxed/consumer-kit/cdk';
import { Arn, Stack, Token } from 'aws-cdk-lib';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { Grant } from 'aws-cdk-lib/aws-iam';
import { CfnTemplate } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { expectations } from '../../contract-expectations';
import { EMAIL_ENV } from '../../environment';
import { WELCOME_TEMPLATE_CONTENT } from './welcome-email';

/**
 * Properties of {@link WelcomeEmail}.
 *
 * @example new WelcomeEmail(this, 'WelcomeEmail', { senderAddress: 'welcome@mail.outboxed.example', senderIdentity: 'outboxed.example' });
 */
export interface WelcomeEmailProps {
  /** The `From` address of the welcome email. */
  readonly senderAddress: string;
  /**
   * The verified SES identity the function may send as: a domain or an address.
   * @default the domain of `senderAddress`
   */
  readonly senderIdentity?: string;
  /** Actions of every alarm of the consumer. @default none */
  readonly alarmActions?: readonly IAlarmAction[];
}

/**
 * The welcome-email function: an `EventConsumer` of the users' UserCreated events, the SES template of the email,
 * and permission to send only that template as only that identity.
 *
 * @example new WelcomeEmail(this, 'WelcomeEmail', { senderAddress: 'welcome@outboxed.example' });
 */
export class WelcomeEmail extends Construct {
  readonly consumer: EventConsumer;
  readonly template: CfnTemplate;

  constructor(scope: Construct, id: string, props: WelcomeEmailProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.senderAddress) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.senderAddress)) {
      throw new Error(
        `WelcomeEmail prop senderAddress is "${props.senderAddress}"; allowed: an email address such as welcome@example.com. Set it in cdk.json context "welcomeEmailSender".`,
      );
    }
    this.template = new CfnTemplate(this, 'Template', {
      template: {
        subjectPart: WELCOME_TEMPLATE_CONTENT.Subject,
        textPart: WELCOME_TEMPLATE_CONTENT.Text,
        htmlPart: WELCOME_TEMPLATE_CONTENT.Html,
      },
    });
    this.consumer = new EventConsumer(this, 'Consumer', {
      expectations,
      entry: join(import.meta.dirname, 'handler.ts'),
      environment: {
        [EMAIL_ENV.senderAddress]: props.senderAddress,
        [EMAIL_ENV.templateName]: this.template.ref,
      },
      alarmActions: props.alarmActions,
    });
    // SES v2 SendEmail with a template is authorized as ses:SendEmail on the identity and on the template;
    // nothing else (no SendRawEmail: the handler never sends raw MIME).
    const identity = props.senderIdentity ?? props.senderAddress.split('@')[1] ?? props.senderAddress;
    const stack = Stack.of(this);
    Grant.addToPrincipal({
      grantee: this.consumer.function,
      actions: ['ses:SendEmail'],
      resourceArns: [
        Arn.format({ service: 'ses', resource: 'identity', resourceName: identity }, stack),
        Arn.format({ service: 'ses', resource: 'template', resourceName: this.template.ref }, stack),
      ],
    });
  }
}
