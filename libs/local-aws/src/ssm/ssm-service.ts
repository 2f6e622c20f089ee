import { AwsServiceError, validation } from '../errors';
import type { ServiceContext } from '../service-context';

interface Parameter {
  readonly Name: string;
  readonly Type: string;
  readonly Value: string;
  readonly Version: number;
  readonly LastModifiedDate: number;
  readonly DataType: string;
  readonly Description?: string;
}

type Input = Record<string, unknown>;

const notFound = (name: string): AwsServiceError =>
  new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);

/**
 * AWS Systems Manager Parameter Store, in memory, behind the JSON 1.1 protocol (`X-Amz-Target: AmazonSSM.<Action>`):
 * PutParameter (versions, Overwrite), GetParameter (with `name:version` selectors), GetParameters,
 * GetParametersByPath, DeleteParameter, DescribeParameters. Hand-written (no maintained library emulates SSM without
 * Docker). SecureString values are stored as given; no KMS.
 *
 * @example await new SsmService(context).handle('PutParameter', { Name: '/a/b', Value: 'x', Type: 'String' });
 */
export class SsmService {
  private readonly history = new Map<string, Parameter[]>();

  constructor(private readonly context: ServiceContext) {}

  async handle(action: string, input: Input): Promise<unknown> {
    switch (action) {
      case 'PutParameter':
        return this.put(input);
      case 'GetParameter':
        return { Parameter: this.render(this.get(String(input.Name ?? ''))) };
      case 'GetParameters': {
        const names = (input.Names as string[] | undefined) ?? [];
        if (names.length < 1 || names.length > 10) {
          throw validation(
            `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10`,
          );
        }
        const Parameters: unknown[] = [];
        const InvalidParameters: string[] = [];
        for (const name of names) {
          try {
            Parameters.push(this.render(this.get(name)));
          } catch {
            InvalidParameters.push(name);
          }
        }
        return { Parameters, InvalidParameters };
      }
      case 'GetParametersByPath': {
        const path = String(input.Path ?? '/');
        const prefix = path.endsWith('/') ? path : `${path}/`;
        const matches = [...this.history.keys()].filter(
          (name) =>
            name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes('/')),
        );
        return { Parameters: matches.map((name) => this.render(this.latest(name))) };
      }
      case 'DeleteParameter': {
        const name = String(input.Name ?? '');
        if (!this.history.delete(name)) throw notFound(name);
        return {};
      }
      case 'DeleteParameters': {
        const names = (input.Names as string[] | undefined) ?? [];
        const DeletedParameters = names.filter((n) => this.history.delete(n));
        return { DeletedParameters, InvalidParameters: names.filter((n) => !DeletedParameters.includes(n)) };
      }
      case 'DescribeParameters':
        return {
          Parameters: [...this.history.keys()].map((name) => {
            const p = this.latest(name);
            return {
              Name: p.Name,
              Type: p.Type,
              Version: p.Version,
              LastModifiedDate: p.LastModifiedDate,
              DataType: p.DataType,
              Tier: 'Standard',
            };
          }),
        };
      case 'AddTagsToResource':
      case 'RemoveTagsFromResource':
        return {};
      case 'ListTagsForResource':
        return { TagList: [] };
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `Operation ${action} is not supported by the local SSM.`,
        );
    }
  }

  private put(input: Input): unknown {
    const name = String(input.Name ?? '');
    if (!/^[a-zA-Z0-9_.\-/]{1,2048}$/.test(name) || (name.includes('/') && !name.startsWith('/'))) {
      throw validation(
        `Parameter name ${name} is not valid: a name with "/" must be fully qualified (start with "/"), and may contain only a-zA-Z0-9_.-/.`,
      );
    }
    if (typeof input.Value !== 'string' || input.Value === '') {
      throw validation(
        `1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1`,
      );
    }
    const previous = this.history.get(name);
    if (previous && input.Overwrite !== true) {
      throw new AwsServiceError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    if (previous && input.Tags)
      throw validation(
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
      );
    const last = previous?.at(-1);
    const type = typeof input.Type === 'string' ? input.Type : last?.Type;
    if (type !== 'String' && type !== 'StringList' && type !== 'SecureString') {
      throw validation(
        `Parameter Type ${String(type)} is not valid: use String, StringList or SecureString.`,
      );
    }
    const parameter: Parameter = {
      Name: name,
      Type: type,
      Value: input.Value,
      Version: (last?.Version ?? 0) + 1,
      LastModifiedDate: Date.now() / 1000,
      DataType: typeof input.DataType === 'string' ? input.DataType : 'text',
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
    };
    this.history.set(name, [...(previous ?? []), parameter]);
    return { Version: parameter.Version, Tier: 'Standard' };
  }

  private latest(name: string): Parameter {
    const versions = this.history.get(name);
    const last = versions?.at(-1);
    if (!last) throw notFound(name);
    return last;
  }

  /** Resolves `name` or `name:version`. */
  private get(selector: string): Parameter {
    const match = /^(.*):(\d+)$/.exec(selector);
    if (!match) return this.latest(selector);
    const version = this.history.get(match[1] as string)?.find((p) => p.Version === Number(match[2]));
    if (!version)
      throw new AwsServiceError(
        'ParameterVersionNotFound',
        `Version ${match[2]} of parameter ${match[1]} not found.`,
      );
    return version;
  }

  private render(parameter: Parameter): unknown {
    const path = parameter.Name.startsWith('/') ? parameter.Name.slice(1) : parameter.Name;
    return {
      Name: parameter.Name,
      Type: parameter.Type,
      Value: parameter.Value,
      Version: parameter.Version,
      LastModifiedDate: parameter.LastModifiedDate,
      ARN: `arn:aws:ssm:${this.context.region}:${this.context.accountId}:parameter/${path}`,
      DataType: parameter.DataType,
    };
  }
}
