/**
 * One metric value set of an Embedded Metric Format line, for one of its dimension sets.
 *
 * @example parseEmfLine(line)[0] // { namespace: 'Outboxed/Users', metricName: 'FailedEntries', dimensions: { service: 'users-service' }, values: [1] }
 */
export interface EmfDatum {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

interface Directive {
  readonly Namespace?: unknown;
  readonly Dimensions?: unknown;
  readonly Metrics?: unknown;
}

/**
 * The metrics of a line a function printed, if it is in CloudWatch's Embedded Metric Format (what Powertools
 * Metrics prints): each directive of `_aws.CloudWatchMetrics` gives its namespace, its metrics (values read from the
 * root, a number or a list of numbers) and its dimension sets (values read from the root; an empty set means no
 * dimension). Anything else gives `[]`.
 *
 * @example parseEmfLine('{"_aws":{"Timestamp":0,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["service"]],"Metrics":[{"Name":"M"}]}]},"service":"s","M":1}')
 */
export function parseEmfLine(line: string): EmfDatum[] {
  if (!line.startsWith('{') || !line.includes('CloudWatchMetrics')) return [];
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return [];
  }
  const directives = (entry._aws as { CloudWatchMetrics?: unknown } | undefined)?.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [];
  const out: EmfDatum[] = [];
  for (const directive of directives as readonly Directive[]) {
    if (typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [];
    const dimensionSets = (sets.length === 0 ? [[]] : sets)
      .filter((set): set is string[] => Array.isArray(set))
      .map((set) => {
        const dims: Record<string, string> = {};
        for (const key of set) {
          const value = entry[key];
          if (typeof value !== 'string') return undefined;
          dims[key] = value;
        }
        return dims;
      })
      .filter((d): d is Record<string, string> => d !== undefined);
    for (const metric of directive.Metrics as readonly { Name?: unknown }[]) {
      if (typeof metric.Name !== 'string') continue;
      const raw = entry[metric.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
      if (values.length === 0) continue;
      for (const dimensions of dimensionSets)
        out.push({ namespace: directive.Namespace, metricName: metric.Name, dimensions, values });
    }
  }
  return out;
}
