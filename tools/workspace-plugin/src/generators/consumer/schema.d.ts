/**
 * The options of `nx g @outboxed/workspace-plugin:consumer` (see schema.json).
 *
 * @example const options: ConsumerGeneratorSchema = { name: 'billing', events: 'UserCreated' };
 */
export interface ConsumerGeneratorSchema {
  /** The team's consumer name in kebab-case, without the `-consumer` suffix (e.g. `billing`). */
  name: string;
  /** Comma-separated event types to subscribe to: `DetailType` (latest version) or `DetailType@version`. */
  events: string;
  /** Optional EventBridge content filter on the event's `detail`, as JSON. */
  filter?: string;
  /** Do not run `npm install` afterwards (the new app is a new npm workspace package). */
  skipInstall?: boolean;
  /** Do not format the generated files with Prettier. */
  skipFormat?: boolean;
}
