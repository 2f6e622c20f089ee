// CPU time of a process tree from the processes' own accounting (/proc/<pid>/stat utime + stime, Linux only):
// this process (runtime, edge, pollers, HTTP APIs), DynamoDB Local's JVM and every Lambda worker, each grouped by
// what it is, so a benchmark can report CPU per user where it is spent.
import { readFileSync, readdirSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  readonly cpuMs: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: fields are counted after the last ')'
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
    return { pid, ppid, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/** What a process is: `runtime` (the root), `dynamodb-local` (java), or the Lambda function a worker runs. */
function roleOf(pid: number, root: number): string {
  if (pid === root) return 'runtime (edge, pollers, APIs)';
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (/(^|\/)java\0/.test(cmdline)) return 'dynamodb-local (JVM)';
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    const name = environ.find((e) => e.startsWith('AWS_LAMBDA_FUNCTION_NAME='));
    // the generated suffix differs per start: keep the stack and logical id part
    if (name) return `worker ${name.slice('AWS_LAMBDA_FUNCTION_NAME='.length).replace(/-[A-Z0-9]{8,}$/, '')}`;
    return cmdline.split('\0').slice(0, 2).join(' ');
  } catch {
    return 'ended';
  }
}

function descendants(root: number): ProcStat[] {
  const stats = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const found: ProcStat[] = [];
  const visit = (s: ProcStat) => {
    found.push(s);
    for (const child of children.get(s.pid) ?? []) visit(child);
  };
  const self = stats.find((s) => s.pid === root);
  if (self) visit(self);
  return found;
}

/** The process ids of the Lambda workers under `root`. */
export function workerPids(root = process.pid): number[] {
  return descendants(root)
    .filter((s) => roleOf(s.pid, root).startsWith('worker '))
    .map((s) => s.pid);
}

/** CPU milliseconds by role, summed over `root` and all its live descendants. */
export function processTreeCpu(root = process.pid): Map<string, number> {
  const byRole = new Map<string, number>();
  for (const s of descendants(root)) {
    const role = roleOf(s.pid, root);
    byRole.set(role, (byRole.get(role) ?? 0) + s.cpuMs);
  }
  return byRole;
}

/** The CPU spent by role between two `processTreeCpu` readings (a process started in between counts from 0). */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  return new Map(
    [...after]
      .map(([role, ms]): [string, number] => [role, ms - (before.get(role) ?? 0)])
      .filter(([, ms]) => ms > 0)
      .sort((a, b) => b[1] - a[1]),
  );
}

/** The 1-minute load average, printed beside every speed figure. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
