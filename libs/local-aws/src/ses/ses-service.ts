import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../errors';
import type { ServiceContext } from '../service-context';
import type { Mailbox, MailboxMessage } from './mailbox';
import { renderTemplate, type EmailTemplateContent } from './render-template';

type Input = Record<string, unknown>;

interface SendEmailInput {
  readonly FromEmailAddress?: string;
  readonly Destination?: { ToAddresses?: string[]; CcAddresses?: string[]; BccAddresses?: string[] };
  readonly ReplyToAddresses?: string[];
  readonly Content?: {
    Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string }; Html?: { Data?: string } } };
    Raw?: { Data?: string };
    Template?: {
      TemplateName?: string;
      TemplateArn?: string;
      TemplateData?: string;
      TemplateContent?: EmailTemplateContent;
    };
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

interface StoredTemplate {
  readonly TemplateName: string;
  TemplateContent: EmailTemplateContent;
  readonly CreatedTimestamp: number;
}

/**
 * Amazon SES v2 (REST-JSON): `SendEmail` (`POST /v2/email/outbound-emails`) delivering into the local
 * {@link Mailbox} instead of the internet, and the email-template API (`/v2/email/templates`). Hand-written (no
 * maintained library emulates SES v2 without Docker). Validates what SES validates before accepting: a sender,
 * 1–50 recipients, well-formed addresses, exactly one content kind, a subject and body for simple content, an
 * existing template (`NotFoundException`) with JSON `TemplateData`. As in SES, a template variable missing from the
 * data is a rendering failure found after acceptance: the email gets a MessageId but never reaches the mailbox, and
 * the live log says why.
 *
 * @example await ses.route('POST', '/v2/email/outbound-emails', { FromEmailAddress: 'a@b.c', … });
 */
export class SesService {
  private readonly templates = new Map<string, StoredTemplate>();

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
    if (path === '/v2/email/templates') {
      if (method === 'POST') return this.createTemplate(input);
      if (method === 'GET') {
        return {
          TemplatesMetadata: [...this.templates.values()].map((t) => ({
            TemplateName: t.TemplateName,
            CreatedTimestamp: t.CreatedTimestamp,
          })),
        };
      }
    }
    const templateName = /^\/v2\/email\/templates\/([^/]+)$/.exec(path)?.[1];
    if (templateName !== undefined) {
      const name = decodeURIComponent(templateName);
      const template = this.template(name);
      if (method === 'GET') return { TemplateName: name, TemplateContent: template.TemplateContent };
      if (method === 'PUT') {
        template.TemplateContent = this.templateContent(input);
        return {};
      }
      if (method === 'DELETE') {
        this.templates.delete(name);
        return {};
      }
    }
    throw new AwsServiceError('NotFoundException', `The local SES has no route for ${method} ${path}.`, 404);
  }

  private template(name: string): StoredTemplate {
    const template = this.templates.get(name);
    if (!template) throw new AwsServiceError('NotFoundException', `Template ${name} does not exist.`, 404);
    return template;
  }

  private templateContent(input: Input): EmailTemplateContent {
    const content = input.TemplateContent as EmailTemplateContent | undefined;
    if (
      !content ||
      (content.Subject === undefined && content.Text === undefined && content.Html === undefined)
    ) {
      throw badRequest('TemplateContent must give at least one of Subject, Text or Html.');
    }
    return content;
  }

  private createTemplate(input: Input): unknown {
    const name = input.TemplateName;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      throw badRequest(`TemplateName ${String(name)} is not valid: 1-64 letters, digits, '_' or '-'.`);
    }
    if (this.templates.has(name))
      throw new AwsServiceError('AlreadyExistsException', `Template ${name} already exists.`);
    this.templates.set(name, {
      TemplateName: name,
      TemplateContent: this.templateContent(input),
      CreatedTimestamp: Date.now() / 1000,
    });
    return {};
  }

  /** Resolves `Content.Template` to its parts and data, throwing as SES does for an unknown template or bad data. */
  private templated(template: NonNullable<NonNullable<SendEmailInput['Content']>['Template']>): {
    name?: string;
    content: EmailTemplateContent;
    data: unknown;
  } {
    const name = template.TemplateName ?? template.TemplateArn?.split('/').pop();
    const content =
      template.TemplateContent ?? (name !== undefined ? this.template(name).TemplateContent : undefined);
    if (!content)
      throw badRequest('Content.Template must give TemplateName, TemplateArn or TemplateContent.');
    let data: unknown = {};
    if (template.TemplateData !== undefined) {
      try {
        data = JSON.parse(template.TemplateData);
      } catch {
        throw badRequest('TemplateData is not valid JSON.');
      }
    }
    return { ...(name !== undefined ? { name } : {}), content, data };
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
    const templated = content?.Template ? this.templated(content.Template) : undefined;
    const messageId = `${Date.now().toString(16)}-${randomUUID()}-000000`;
    const recipients = to.length + cc.length + bcc.length;
    const rendered = templated ? renderTemplate(templated.content, templated.data) : undefined;
    if (rendered && !rendered.ok) {
      this.context.log.emit(
        'ses',
        'ses.rendering-failure',
        `email ${messageId} accepted but not delivered: rendering failure of template ${templated?.name ?? '(inline)'}: ${rendered.reason}`,
        {
          messageId,
          template: templated?.name,
          reason: rendered.reason,
        },
      );
      return { MessageId: messageId };
    }
    const parts = rendered?.ok
      ? rendered
      : { subject: simple?.Subject?.Data, text: simple?.Body?.Text?.Data, html: simple?.Body?.Html?.Data };
    const message: MailboxMessage = {
      messageId,
      receivedAt: new Date().toISOString(),
      from,
      to,
      cc,
      bcc,
      replyTo: input.ReplyToAddresses ?? [],
      ...(parts.subject !== undefined ? { subject: parts.subject } : {}),
      ...(parts.text !== undefined ? { text: parts.text } : {}),
      ...(parts.html !== undefined ? { html: parts.html } : {}),
      ...(content?.Raw?.Data !== undefined ? { raw: content.Raw.Data } : {}),
      ...(content?.Template
        ? {
            template: {
              ...(templated?.name ? { name: templated.name } : {}),
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
      `email ${messageId} accepted for ${recipients} recipient(s) into the local mailbox`,
      { messageId, recipients, template: templated?.name },
    );
    return { MessageId: messageId };
  }
}
