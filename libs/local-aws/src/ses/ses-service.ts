import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../errors';
import type { ServiceContext } from '../sqs/sqs-service';
import type { Mailbox, MailboxMessage } from './mailbox';

type Input = Record<string, unknown>;

interface SendEmailInput {
  readonly FromEmailAddress?: string;
  readonly Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  readonly ReplyToAddresses?: string[];
  readonly Content?: {
    Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } } };
    Raw?: { Data?: string };
    Template?: { TemplateName?: string; TemplateArn?: string; TemplateData?: string };
  };
  readonly EmailTags?: { Name: string; Value: string }[];
  readonly ConfigurationSetName?: string;
}

const badRequest = (message: string): AwsServiceError => new AwsServiceError('BadRequestException', message);
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;

/** The address inside `Name <address>` or the address itself. */
function bareAddress(address: string): string {
  return /<([^>]+)>\s*$/.exec(address)?.[1] ?? address.trim();
}

/**
 * Amazon SES v2 `SendEmail` (REST-JSON, `POST /v2/email/outbound-emails`), delivering into the local
 * {@link Mailbox} instead of the internet. Hand-written (no maintained library emulates SES v2 without Docker).
 * Validates what SES validates before sending: a sender, 1–50 recipients, well-formed addresses, exactly one content
 * kind, a subject and body for simple content.
 *
 * @example await ses.route('POST', '/v2/email/outbound-emails', { FromEmailAddress: 'a@b.c', … });
 */
export class SesService {
  constructor(
    private readonly context: ServiceContext,
    private readonly mailbox: Mailbox,
  ) {}

  async route(method: string, path: string, input: Input): Promise<unknown> {
    if (method === 'POST' && path === '/v2/email/outbound-emails')
      return this.sendEmail(input as SendEmailInput);
    if (method === 'GET' && path === '/v2/email/account') {
      return {
        SendingEnabled: true,
        ProductionAccessEnabled: true,
        EnforcementStatus: 'HEALTHY',
        DedicatedIpAutoWarmupEnabled: false,
      };
    }
    throw new AwsServiceError('NotFoundException', `The local SES has no route for ${method} ${path}.`, 404);
  }

  private async sendEmail(input: SendEmailInput): Promise<unknown> {
    const from = input.FromEmailAddress;
    if (!from) throw badRequest('Missing required field FromEmailAddress.');
    const to = input.Destination?.ToAddresses ?? [];
    const cc = input.Destination?.CcAddresses ?? [];
    const bcc = input.Destination?.BccAddresses ?? [];
    const all = [from, ...to, ...cc, ...bcc, ...(input.ReplyToAddresses ?? [])];
    const invalid = all.find((a) => !ADDRESS.test(bareAddress(a)));
    if (invalid !== undefined) throw badRequest('Illegal address: an address is not a valid email address.');
    const content = input.Content;
    const kinds = [content?.Simple, content?.Raw, content?.Template].filter((c) => c !== undefined);
    if (kinds.length !== 1) throw badRequest('Content must contain exactly one of Simple, Raw or Template.');
    if (!content?.Raw && to.length + cc.length + bcc.length === 0)
      throw badRequest('Missing required field Destination: at least one recipient is needed.');
    if (to.length + cc.length + bcc.length > 50) throw badRequest('Recipient count exceeds 50.');
    const simple = content?.Simple;
    if (simple) {
      if (simple.Subject?.Data === undefined)
        throw badRequest('Missing required field Content.Simple.Subject.Data.');
      if (simple.Body?.Text?.Data === undefined && simple.Body?.Html?.Data === undefined) {
        throw badRequest('Missing required field Content.Simple.Body: give Text or Html.');
      }
    }
    const messageId = `${Date.now().toString(16)}-${randomUUID()}-000000`;
    const message: MailboxMessage = {
      messageId,
      receivedAt: new Date().toISOString(),
      from,
      to,
      cc,
      bcc,
      replyTo: input.ReplyToAddresses ?? [],
      ...(simple?.Subject?.Data !== undefined ? { subject: simple.Subject.Data } : {}),
      ...(simple?.Body?.Text?.Data !== undefined ? { text: simple.Body.Text.Data } : {}),
      ...(simple?.Body?.Html?.Data !== undefined ? { html: simple.Body.Html.Data } : {}),
      ...(content?.Raw?.Data !== undefined ? { raw: content.Raw.Data } : {}),
      ...(content?.Template
        ? {
            template: {
              ...(content.Template.TemplateName ? { name: content.Template.TemplateName } : {}),
              ...(content.Template.TemplateArn ? { arn: content.Template.TemplateArn } : {}),
              ...(content.Template.TemplateData ? { data: content.Template.TemplateData } : {}),
            },
          }
        : {}),
      tags: input.EmailTags ?? [],
      ...(input.ConfigurationSetName ? { configurationSetName: input.ConfigurationSetName } : {}),
    };
    await this.mailbox.add(message);
    this.context.log.emit(
      'ses',
      'ses.sent',
      `email ${messageId} accepted for ${to.length + cc.length + bcc.length} recipient(s) into the local mailbox`,
      {
        messageId,
        recipients: to.length + cc.length + bcc.length,
      },
    );
    return { MessageId: messageId };
  }
}
