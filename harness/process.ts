import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  setprivAvailable ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable;
}

/**
 * `command args` wrapped so the child gets SIGKILL when its parent dies (util-linux's setpriv
 * execs in place, so the pid stays the child's); unwrapped where setpriv is missing.
 */
export function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  return hasSetpriv() ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args]] : [command, args];
}

/**
 * One child process of the control plane. Output goes to a log file; the child runs in its
 * own process group (so a terminal's Ctrl-C reaches only us, and we stop children in order)
 * and, where util-linux's setpriv exists, with a parent-death signal, so even a `kill -9` of
 * the Node process that started it cannot leave it running.
 */
export class ManagedProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly child: ChildProcess;
  private stopping = false;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    onUnexpectedExit: (process: ManagedProcess, status: ExitStatus) => void,
    env?: NodeJS.ProcessEnv,
  ) {
    const fd = openSync(logFile, 'a');
    const [file, argv] = withParentDeathSignal(command, args);
    try {
      this.child = spawn(file, argv, { stdio: ['ignore', fd, fd], detached: true, env: env ?? process.env });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
      this.child.once('error', () => resolve({ code: -1, signal: null }));
    });
    void this.exited.then((status) => {
      if (!this.stopping) onUnexpectedExit(this, status);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of the log, for error messages. */
  tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<ExitStatus> {
    this.stopping = true;
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Immediate, synchronous kill, for `process.on('exit')` where nothing async can run. */
  killNow(): void {
    this.stopping = true;
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(-pid, signal); // the whole group: setpriv execs, but be thorough
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        /* already gone */
      }
    }
  }
}
