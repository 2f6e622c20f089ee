import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One email accepted by the local SES `SendEmail`, as stored in the mailbox.
 *
 * @example const [first] = await edge.mailbox.list(); first?.subject;
 */
export interface MailboxMessage {
  readonly messageId: string;
  /** ISO-8601 time SES accepted it. */
  readonly receivedAt: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly replyTo: readonly string[];
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  /** Base64 MIME for `Content.Raw` emails. */
  readonly raw?: string;
  /** `Content.Template` emails: template name/ARN and its data. */
  readonly template?: { readonly name?: string; readonly arn?: string; readonly data?: string };
  readonly tags: readonly { readonly Name: string; readonly Value: string }[];
  readonly configurationSetName?: string;
}

/**
 * The local SES mailbox: one readable JSON file per email in `<dataDir>/mailbox/`, or in memory without a dataDir.
 *
 * @example
 * const mailbox = new Mailbox('.local');
 * for (const email of await mailbox.list()) console.log(email.subject);
 */
export class Mailbox {
  private readonly memory: MailboxMessage[] = [];

  constructor(private readonly dataDir?: string) {}

  /** The directory the files go to, if any. */
  get directory(): string | undefined {
    return this.dataDir === undefined ? undefined : join(this.dataDir, 'mailbox');
  }

  /** Stores one email (a file named `<receivedAt>-<messageId>.json` when there is a dataDir). */
  async add(message: MailboxMessage): Promise<void> {
    const directory = this.directory;
    if (directory === undefined) {
      this.memory.push(message);
      return;
    }
    await mkdir(directory, { recursive: true });
    const file = `${message.receivedAt.replace(/[:.]/g, '-')}-${message.messageId}.json`;
    await writeFile(join(directory, file), `${JSON.stringify(message, null, 2)}\n`, 'utf8');
  }

  /** Every email, oldest first. */
  async list(): Promise<MailboxMessage[]> {
    const directory = this.directory;
    return directory === undefined ? [...this.memory] : readMailbox(directory);
  }

  /** Forgets every email (deletes nothing on disk; use a fresh dataDir for that). */
  clearMemory(): void {
    this.memory.length = 0;
  }
}

/**
 * Reads a mailbox directory written by the edge (e.g. from another process, or a CLI printing the mailbox).
 *
 * @example const emails = await readMailbox('.local/mailbox');
 */
export async function readMailbox(directory: string): Promise<MailboxMessage[]> {
  let files: string[];
  try {
    files = (await readdir(directory)).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(directory, f), 'utf8')) as MailboxMessage),
  );
}
