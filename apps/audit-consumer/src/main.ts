import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
import { App } from 'aws-cdk-lib';
import { AuditConsumerStack } from './stack';

const app = new App();
applyAwsSolutionsChecks(app);
new AuditConsumerStack(app, 'AuditConsumer', { env: stackEnvironment() });
