import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { createTracer } from '@outboxed/cdk-common/tracing';
import type { ConsumerHandler, ConsumerHandlerDeps } from '@outboxed/consumer-kit';
import { ConsumerConfigurationError, createConsumerHandler } from '@outboxed/consumer-kit';
import { expectations } from '../../contract-expectations';
import { EMAIL_ENV } from '../../environment';
import type { WelcomeEmailSettings } from './welcome-email';
import { welcomeEmail } from './welcome-email';

/**
 * Side effects of the welcome-email handler: the kit's, plus SES.
 *
 * @example createWelcomeEmailHandler({ ses: new SESv2Client({ endpoint: edge.endpoint }), env });
 */
export interface WelcomeEmailDeps extends ConsumerHandlerDeps {
  /** @default new SESv2Client({}), captured by the tracer */
  readonly ses?: SESv2Client;
}

/**
 * The email consumer's handler: on each UserCreated (any version, read as v1) sends the user one welcome email through SES v2
 * `SendEmail`. The kit makes it idempotent on `detail.metadata.id`: the `SendEmail` call is the last step of the
 * effect, so the only window for a second email is between SES accepting it and the idempotency record being
 * completed. SES takes no idempotency key, so the handler is an `externalEffect` consumer: a crash in that window
 * sends at most one duplicate (records run one at a time), logged and counted as `PossibleDuplicate` (see the README).
 *
 * @example export const handler = createWelcomeEmailHandler({ ses: new SESv2Client({ endpoint }) });
 */
export function createWelcomeEmailHandler(deps: WelcomeEmailDeps = {}): ConsumerHandler {
  // one tracer for the function: the kit's segments and clients, and SES's
  const tracer = deps.tracer ?? createTracer({ serviceName: expectations.consumer });
  const ses = deps.ses ?? tracer.captureAWSv3Client(new SESv2Client({}));
  const env = deps.env ?? process.env;
  return createConsumerHandler(
    {
      expectations,
      // SendEmail takes no idempotency key: one record at a time, a retaken dead mark counted as a possible duplicate
      externalEffect: true,
      handle: async (event) => {
        const output = await ses.send(new SendEmailCommand(welcomeEmail(event.detail, readSettings(env))));
        return { sesMessageId: output.MessageId ?? null };
      },
    },
    { ...deps, tracer },
  );
}

function readSettings(env: NodeJS.ProcessEnv): WelcomeEmailSettings {
  const senderAddress = env[EMAIL_ENV.senderAddress];
  if (!senderAddress)
    throw new ConsumerConfigurationError(EMAIL_ENV.senderAddress, senderAddress, 'an email address');
  const templateName = env[EMAIL_ENV.templateName];
  if (!templateName)
    throw new ConsumerConfigurationError(EMAIL_ENV.templateName, templateName, 'an SES template name');
  return { senderAddress, templateName };
}

/**
 * The Lambda entry point.
 *
 * @example new NodejsFunction(this, 'Fn', { ...nodeFunctionDefaults(), entry: join(import.meta.dirname, 'handler.ts') });
 */
export const handler = createWelcomeEmailHandler();
