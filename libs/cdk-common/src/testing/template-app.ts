import { App, type AppProps } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';

/**
 * A CDK `App` for tests that assert on templates: no stack bundles its Lambda assets (CDK's `aws:cdk:bundling-stacks`
 * context set to no stack). Each function keeps its logical id, role, environment and the asset parameters of its
 * code; only esbuild does not run, which takes a third to a half off the CPU of a stack test.
 *
 * A test of what a bundle holds (which modules it inlines, its size) uses `new App()`. That every function's entry
 * bundles is proven where the code runs: `nx run <app>:synth` bundles every asset, and the end-to-end tests run them.
 *
 * @param props the App's props; their `context` is kept, under this setting.
 * @returns an App whose stacks synthesize without bundling.
 * @example
 * const app = templateApp();
 * const template = Template.fromStack(new UsersServiceStack(app, 'Users', props));
 */
export function templateApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...props.context, [BUNDLING_STACKS]: [] } });
}
