import {
  CreateEmailTemplateCommand,
  GetEmailTemplateCommand,
  SendEmailCommand,
  type SendEmailCommandInput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { EdgeLogEvent } from '../log';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../edge';
import { clientsFor } from '../test-clients';
import { readMailbox } from './mailbox';

const welcome = (overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
  FromEmailAddress: 'no-reply@example.com',
  Destination: { ToAddresses: ['ada@example.com'] },
  Content: { Simple: { Subject: { Data: 'Welcome' }, Body: { Text: { Data: 'Hello Ada' } } } },
  ...overrides,
});

describe('SES v2 SendEmail into the local mailbox', () => {
  describe('in memory', () => {
    let edge: Edge;
    let ses: SESv2Client;

    beforeAll(async () => {
      edge = await startEdge();
      ses = clientsFor(edge).ses;
    });
    afterAll(() => edge.stop());

    it('stores an accepted email and lists it on GET /_local/mailbox', async () => {
      const { MessageId } = await ses.send(new SendEmailCommand(welcome()));
      const listed = (await (await fetch(`${edge.endpoint}/_local/mailbox`)).json()) as {
        messages: unknown[];
      };

      const expected = {
        messageId: MessageId,
        receivedAt: expect.any(String),
        from: 'no-reply@example.com',
        to: ['ada@example.com'],
        cc: [],
        bcc: [],
        replyTo: [],
        subject: 'Welcome',
        text: 'Hello Ada',
        tags: [],
      };
      expect(await edge.mailbox.list()).toEqual([expected]);
      expect(listed.messages).toEqual([expected]);
    });

    it.each([
      ['no sender', welcome({ FromEmailAddress: undefined }), 'Missing required field FromEmailAddress.'],
      [
        'no recipient',
        welcome({ Destination: { ToAddresses: [] } }),
        'Missing required field Destination: at least one recipient is needed.',
      ],
      [
        'an invalid address',
        welcome({ Destination: { ToAddresses: ['not-an-address'] } }),
        'Illegal address: an address is not a valid email address.',
      ],
      [
        'no content',
        welcome({ Content: {} }),
        'Content must contain exactly one of Simple, Raw or Template.',
      ],
      [
        '51 recipients',
        welcome({ Destination: { ToAddresses: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`) } }),
        'Recipient count exceeds 50.',
      ],
    ])('rejects an email with %s (BadRequestException)', async (_what, input, message) => {
      await expect(ses.send(new SendEmailCommand(input))).rejects.toMatchObject({
        name: 'BadRequestException',
        message,
        $metadata: { httpStatusCode: 400 },
      });
    });
  });

  describe('with a dataDir', () => {
    let edge: Edge;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'local-aws-mailbox-'));
      edge = await startEdge({ dataDir });
    });
    afterAll(async () => {
      await edge.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('writes one readable JSON file per email that readMailbox reads back', async () => {
      const { MessageId } = await clientsFor(edge).ses.send(new SendEmailCommand(welcome()));
      const directory = join(dataDir, 'mailbox');
      const files = await readdir(directory);
      const content = JSON.parse(await readFile(join(directory, files[0] as string), 'utf8')) as {
        messageId: string;
      };

      expect(files).toEqual([expect.stringMatching(new RegExp(`${MessageId}\\.json$`))]);
      expect(content.messageId).toBe(MessageId);
      expect((await readMailbox(directory)).map((m) => m.subject)).toEqual(['Welcome']);
    });
  });
});

describe('SES v2 email templates', () => {
  let edge: Edge;
  let ses: SESv2Client;
  const log: EdgeLogEvent[] = [];

  beforeAll(async () => {
    edge = await startEdge({ onEvent: (e) => log.push(e) });
    ses = clientsFor(edge).ses;
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'welcome',
        TemplateContent: {
          Subject: 'Welcome, {{name}}',
          Text: 'Hello {{name}}',
          Html: '<p>Hello {{name}}</p>',
        },
      }),
    );
  });
  afterAll(() => edge.stop());

  const templated = (data: object): SendEmailCommandInput =>
    welcome({ Content: { Template: { TemplateName: 'welcome', TemplateData: JSON.stringify(data) } } });

  it('renders a stored template with the template data into the mailbox', async () => {
    const { MessageId } = await ses.send(new SendEmailCommand(templated({ name: 'Ada <3' })));
    const email = (await edge.mailbox.list()).find((m) => m.messageId === MessageId);
    expect(email).toMatchObject({
      subject: 'Welcome, Ada <3',
      text: 'Hello Ada <3',
      html: '<p>Hello Ada &lt;3</p>',
      template: { name: 'welcome', data: '{"name":"Ada <3"}' },
    });
  });

  it('reads a template back with GetEmailTemplate', async () => {
    const template = await ses.send(new GetEmailTemplateCommand({ TemplateName: 'welcome' }));
    expect(template).toMatchObject({
      TemplateName: 'welcome',
      TemplateContent: {
        Subject: 'Welcome, {{name}}',
        Text: 'Hello {{name}}',
        Html: '<p>Hello {{name}}</p>',
      },
    });
  });

  it('answers NotFoundException for an email with an unknown template', async () => {
    const attempt = ses.send(
      new SendEmailCommand(welcome({ Content: { Template: { TemplateName: 'nope', TemplateData: '{}' } } })),
    );
    await expect(attempt).rejects.toMatchObject({
      name: 'NotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('accepts but never delivers an email whose template data lacks a variable (rendering failure)', async () => {
    const { MessageId } = await ses.send(new SendEmailCommand(templated({ other: 1 })));
    expect((await edge.mailbox.list()).map((m) => m.messageId)).not.toContain(MessageId);
    expect(log.find((e) => e.kind === 'ses.rendering-failure')?.details).toEqual({
      messageId: MessageId,
      template: 'welcome',
      reason: "Attribute 'name' is not present in the rendering data.",
    });
  });
});
