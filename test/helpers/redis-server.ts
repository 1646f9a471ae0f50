/**
 * A real redis-server for tests, on a free loopback port with its own temp folder and no persistence
 * (`--save '' --appendonly no`), so nothing outlives the test. Needs /usr/bin/redis-server (.ci/run
 * installs it). `restart()` stops it and starts an empty one on the same port, as a crash without
 * persistence would.
 *
 *   const redis = await startRedisServer();
 *   redis.url            // redis://127.0.0.1:PORT
 *   await redis.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:PORT, with `:password@` when the server has one. */
  readonly url: string;
  /** A client for inspecting it; closed by close(). */
  client(): Redis;
  /** Kills it (SIGKILL): the port refuses connections until start(). */
  kill(): Promise<void>;
  /** Starts it again, empty, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(options: { readonly password?: string } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vaflow-redis-'));
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.password ? ['--requirepass', options.password] : [])];
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
      started.on('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start redis-server (${error.message}); install it: apt-get install -y redis-server`));
      });
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ready to accept connections/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    started.removeAllListeners('exit');
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };

  await start();
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    client() {
      const client = new Redis({ port, host: '127.0.0.1', ...(options.password ? { password: options.password } : {}), maxRetriesPerRequest: 3 });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    kill,
    start,
    async close() {
      for (const client of clients) client.disconnect();
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every key in the server with its value rendered as text, whatever its type (for "appears nowhere" checks). */
export async function dumpAll(redis: Redis): Promise<string> {
  const parts: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value = type === 'string' ? await redis.get(key)
        : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
          : type === 'list' ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === 'set' ? JSON.stringify(await redis.smembers(key))
              : type === 'zset' ? JSON.stringify(await redis.zrange(key, 0, -1, 'WITHSCORES'))
                : type === 'stream' ? JSON.stringify(await redis.xrange(key, '-', '+'))
                  : `(${type})`;
      parts.push(`${key}\t${value}`);
    }
  } while (cursor !== '0');
  return parts.join('\n');
}
