import { applyAwsSolutionsChecks, stackEnvironment } from '@outboxed/cdk-common';
import { App } from 'aws-cdk-lib';
import { UsersServiceStack } from './stack';

/**
 * The users service's CDK app (`cdk.json`: `node --import tsx src/main.ts`): one stack, `UsersService`,
 * checked by cdk-nag's AwsSolutions pack at synth.
 */
const app = new App();
applyAwsSolutionsChecks(app);
new UsersServiceStack(app, 'UsersService', { env: stackEnvironment() });
app.synth();
