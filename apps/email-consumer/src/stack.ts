import type { StackProps } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WelcomeEmail } from './functions/welcome-email/construct';

/**
 * Properties of {@link EmailConsumerStack}.
 *
 * @example new EmailConsumerStack(app, 'EmailConsumer', { env: stackEnvironment(), senderAddress: 'welcome@outboxed.example' });
 */
export interface EmailConsumerStackProps extends StackProps {
  /** The `From` address of the welcome email; its domain must be a verified SES identity. */
  readonly senderAddress: string;
}

/**
 * The email consumer service: its own rule on the users bus (found through SSM), queue, DLQ, function and tables.
 *
 * @example new EmailConsumerStack(app, 'EmailConsumer', { env: stackEnvironment(), senderAddress });
 */
export class EmailConsumerStack extends Stack {
  readonly welcomeEmail: WelcomeEmail;

  constructor(scope: Construct, id: string, props: EmailConsumerStackProps) {
    super(scope, id, props);
    this.welcomeEmail = new WelcomeEmail(this, 'WelcomeEmail', { senderAddress: props.senderAddress });
  }
}
