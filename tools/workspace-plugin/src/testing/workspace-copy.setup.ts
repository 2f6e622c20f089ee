import { createReadStream, createWriteStream, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { copyWorkspace } from './workspace-copy';
import type { WorkspaceCopy } from './workspace-copy';

/** A task hash as Nx writes it: the only names the cache server accepts, so a request cannot reach outside its folder. */
const HASH = /^\/v1\/cache\/([A-Za-z0-9_-]{1,128})$/;

/**
 * Nx's self-hosted remote cache (https://nx.dev/docs/kb/self-hosted-caching: `PUT` and `GET /v1/cache/{hash}`, tar
 * archives as binary bodies, 409 for a hash already stored) over a folder, for the checkouts of one test run.
 */
function startCacheServer(folder: string): Promise<Server> {
  const server = createServer((request, response) => {
    const hash = HASH.exec(request.url ?? '')?.[1];
    const file = hash === undefined ? undefined : join(folder, hash);
    if (file === undefined) {
      response.writeHead(404).end();
    } else if (request.method === 'GET') {
      if (!existsSync(file)) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(response);
    } else if (request.method === 'PUT') {
      if (existsSync(file)) {
        request.resume();
        response.writeHead(409).end();
        return;
      }
      // written aside, then renamed: a concurrent GET sees the whole archive or none
      const partial = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
      request.pipe(createWriteStream(partial)).on('finish', () => {
        renameSync(partial, file);
        response.writeHead(200).end();
      });
    } else {
      response.writeHead(405).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

let copy: WorkspaceCopy | undefined;
let cacheFolder: string | undefined;
let server: Server | undefined;

/**
 * Vitest global setup: makes the one workspace copy the test files of this run share (each works in a worktree of
 * it) and starts the task cache their nested Nx runs share, and hands both to the files (`inject('sharedWorkspaceCopy')`).
 */
export async function setup(project: TestProject): Promise<void> {
  cacheFolder = mkdtempSync(join(tmpdir(), 'outboxed-nx-cache-'));
  server = await startCacheServer(cacheFolder);
  const cacheServer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  copy = copyWorkspace(undefined, cacheServer);
  project.provide('sharedWorkspaceCopy', { root: copy.root, cacheServer });
}

/** Stops the cache and deletes the shared copy and the cache's folder. */
export async function teardown(): Promise<void> {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  copy?.remove();
  if (cacheFolder) rmSync(cacheFolder, { recursive: true, force: true });
}
