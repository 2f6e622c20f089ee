// Prints, as JSON, the task graph Nx would run for `projects` × `targets` in the workspace of the current folder,
// and each task's hash (the key of Nx's cache: a task whose hash changed misses the cache). It calls the functions
// `nx run`/`nx affected` call (createTaskGraph, with `--exclude-task-dependencies` as `exclude`, and the task
// hasher), without running anything; `--graph=stdout` cannot show this, as it ignores --exclude-task-dependencies
// and the arguments forwarded to dependencies. Used by the workspace-copy tests (task-plan.ts).
'use strict';

const { createProjectGraphAsync } = require('nx/src/project-graph/project-graph');
const { readNxJson } = require('nx/src/config/nx-json');
const { createTaskGraph } = require('nx/src/tasks-runner/create-task-graph');
const { createTaskHasher } = require('nx/src/hasher/create-task-hasher');
const { createOverrides, parseFiles } = require('nx/src/utils/command-line-utils');
const { calculateFileChanges } = require('nx/src/project-graph/file-utils');
const { filterAffected } = require('nx/src/project-graph/affected/affected-project-graph');

async function main() {
  // One project graph for a list of plans: { projects, targets, args, exclude, env } or, for `nx affected`,
  // { affected: { base, head }, targets, … }: the projects then are the affected ones with one of the targets, as
  // `nx affected -t …` picks them.
  const requests = JSON.parse(process.argv[2]);
  const projectGraph = await createProjectGraphAsync({ exitOnError: true });
  const hasher = createTaskHasher(projectGraph, readNxJson());
  const plans = [];
  for (const { affected: range, targets, args, exclude, env, ...request } of requests) {
    let projects = request.projects;
    let affected;
    if (range) {
      const nxArgs = { base: range.base, head: range.head };
      const graph = await filterAffected(
        projectGraph,
        calculateFileChanges(parseFiles(nxArgs).files, nxArgs),
      );
      affected = Object.keys(graph.nodes).sort();
      projects = affected.filter((p) => targets.some((t) => projectGraph.nodes[p].data.targets?.[t]));
    }
    // As `nx run`/`nx affected` parse what follows `--`.
    const overrides = createOverrides(args);
    const taskGraph = createTaskGraph(projectGraph, {}, projects, targets, undefined, overrides, exclude);
    const tasks = {};
    for (const [id, task] of Object.entries(taskGraph.tasks)) {
      const { value } = await hasher.hashTask(task, taskGraph, { ...process.env, ...env });
      tasks[id] = { overrides: task.overrides, hash: value };
    }
    plans.push({ affected, dependencies: taskGraph.dependencies, tasks });
  }
  process.stdout.write(JSON.stringify(plans));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
