import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
import { App } from 'aws-cdk-lib';
import { EmailConsumerStack } from './stack';

/** The sender when cdk.json's context `welcomeEmailSender` is not set (`cdk deploy -c welcomeEmailSender=…`). */
const DEFAULT_SENDER = 'welcome@outboxed.example';

const app = new App();
applyAwsSolutionsChecks(app);
new EmailConsumerStack(app, 'EmailConsumer', {
  env: stackEnvironment(),
  senderAddress: (app.node.tryGetContext('welcomeEmailSender') as string | undefined) ?? DEFAULT_SENDER,
});
