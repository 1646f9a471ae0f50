import http from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { INDEX_FILE, writeRunsIndex } from './runs-index.js';

/**
 * `vaflow view --serve`: the runs folder over HTTP on 127.0.0.1 only (never another interface), read
 * only, GET and HEAD. The index is rebuilt on every request for it, so a browser tab shows runs that
 * finished since. A path that resolves (symlinks included) outside the runs folder is a 404.
 */
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.png': 'image/png',
};

export interface RunsServer {
  readonly url: string;
  close(): Promise<void>;
}

async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return undefined;
  }
  const candidate = path.join(root, path.normalize(relative));
  try {
    let real = await realpath(candidate);
    if ((await stat(real)).isDirectory()) real = path.join(real, INDEX_FILE);
    return real === root || real.startsWith(root + path.sep) ? real : undefined;
  } catch {
    return undefined;
  }
}

export async function serveRuns(runsDir: string, options: { port?: number } = {}): Promise<RunsServer> {
  const root = await realpath(runsDir);
  const server = http.createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      const urlPath = request.url ?? '/';
      if (urlPath === '/' || urlPath === `/${INDEX_FILE}`) await writeRunsIndex(root);
      const file = await resolveInside(root, urlPath);
      if (!file || !(await stat(file).then((s) => s.isFile(), () => false))) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      response.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' });
      if (request.method === 'HEAD') return void response.end();
      createReadStream(file).on('error', () => response.destroy()).pipe(response);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(`${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
