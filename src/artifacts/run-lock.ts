import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-write.js';
import type { RunLifeCycle } from '../types/run-events.js';

/**
 * Telling a running run from one whose process died (kill -9, power loss, OOM killer). The manifest
 * says `running` from the start until the run ends; a process that is killed never gets to change
 * that. So while a run is live its folder holds `run.lock` — the process id, the host and a
 * heartbeat refreshed every HEARTBEAT_MS — and the lock is removed after the manifest records the
 * final status. A manifest that still says `running` is believed only when the lock is there and
 * its process is alive (same host) and its heartbeat is fresh (any host: a pid reused after a
 * reboot, or a run on another machine sharing the folder); otherwise the run is stale: interrupted.
 */
export const LOCK_FILE = 'run.lock';
export const HEARTBEAT_MS = 15_000;
/** Eight missed heartbeats. */
export const STALE_AFTER_MS = 120_000;

export interface RunLock {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
}

export interface LockClock {
  readonly now?: () => Date;
  readonly heartbeatMs?: number;
}

/** Holds run.lock for the length of a run: written at the start, refreshed on a timer, removed at the end. */
export class RunLockLifeCycle implements RunLifeCycle {
  readonly #file: string;
  readonly #now: () => Date;
  readonly #heartbeatMs: number;
  #timer?: NodeJS.Timeout;
  #startedAt = '';

  constructor(runDir: string, clock: LockClock = {}) {
    this.#file = path.join(runDir, LOCK_FILE);
    this.#now = clock.now ?? (() => new Date());
    this.#heartbeatMs = clock.heartbeatMs ?? HEARTBEAT_MS;
  }

  runStart(): void {
    this.#startedAt = this.#now().toISOString();
    this.#beat();
    // unref: the heartbeat never keeps a finished process alive.
    this.#timer = setInterval(() => this.#beat(), this.#heartbeatMs).unref();
  }

  /** Called after the manifest writer recorded the final status (life cycles run in order). */
  runEnd(): void {
    clearInterval(this.#timer);
    rmSync(this.#file, { force: true });
  }

  #beat(): void {
    const lock: RunLock = { pid: process.pid, host: os.hostname(), startedAt: this.#startedAt, heartbeatAt: this.#now().toISOString() };
    try {
      writeFileAtomicSync(this.#file, JSON.stringify(lock) + '\n');
    } catch {
      // A missed beat (disk full, folder removed) loses nothing: at worst the run is shown stale.
    }
  }
}

export interface Liveness {
  readonly live: boolean;
  /** Why the run counts as live or stale, for `runs ls` / `runs show`. */
  readonly reason: string;
}

export interface LivenessProbe {
  readonly now?: Date;
  readonly host?: string;
  /** Whether a process with this id exists on this host. */
  readonly processExists?: (pid: number) => boolean;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): RunLock | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<RunLock>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.heartbeatAt === 'string') return value as RunLock;
  } catch {
    // absent or unreadable: no live run holds it
  }
  return undefined;
}

/** Whether the run in `runDir`, whose manifest says `running`, really is. */
export function runLiveness(runDir: string, probe: LivenessProbe = {}): Liveness {
  const lock = readLock(path.join(runDir, LOCK_FILE));
  if (!lock) return { live: false, reason: 'no run.lock: its process ended without recording how the run ended' };
  const now = (probe.now ?? new Date()).getTime();
  const host = probe.host ?? os.hostname();
  const age = now - Date.parse(lock.heartbeatAt);
  const seconds = `${Math.round(age / 1000)} s ago`;
  if (lock.host === host && !(probe.processExists ?? processExists)(lock.pid)) {
    return { live: false, reason: `process ${lock.pid} on ${host} is gone (last heartbeat ${seconds})` };
  }
  if (!(age <= STALE_AFTER_MS)) return { live: false, reason: `no heartbeat from process ${lock.pid} on ${lock.host} since ${lock.heartbeatAt} (${seconds})` };
  return { live: true, reason: `process ${lock.pid} on ${lock.host}, heartbeat ${seconds}` };
}
