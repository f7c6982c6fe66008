// A tiny structured logger: one JSON object per line, so log pipelines (Loki, Cloud
// Logging, `jq`) can filter by namespace/name/controller without parsing prose. We keep it
// ours rather than pulling in pino: the operator needs levels, child loggers and an
// injectable sink, nothing more.

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Extra key/values for an entry, e.g. `{ namespace, name, controller }`. */
export type LogFields = Record<string, unknown>;

/** Receives one serialized entry (a JSON object, no trailing newline). */
export type LogSink = (line: string) => void;

export interface LoggerOptions {
  /** Entries below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** The part of the program speaking, e.g. `workqueue` or `leader-election`. */
  component?: string;
  /** Where lines go. Default: stderr, so stdout stays free for program output. */
  sink?: LogSink;
  /** Source of timestamps; injectable for tests. */
  now?: () => Date;
  /** Fields added to every entry of this logger and its children. */
  fields?: LogFields;
}

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Keys every entry owns; a field of the same name cannot overwrite them, or a careless
// `log.info('x', { msg })` would make entries lie about what they are.
const RESERVED = new Set(['level', 'time', 'msg']);

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

const stderrSink: LogSink = (line) => {
  process.stderr.write(`${line}\n`);
};

/** State shared by a root logger and all its children, so `setLevel` reaches them all. */
interface Core {
  level: LogLevel;
  sink: LogSink;
  now: () => Date;
}

export class Logger {
  private constructor(
    private readonly core: Core,
    private readonly fields: LogFields,
  ) {}

  static create(options: LoggerOptions = {}): Logger {
    const core: Core = {
      level: options.level ?? 'info',
      sink: options.sink ?? stderrSink,
      now: options.now ?? (() => new Date()),
    };
    const fields = { ...(options.component ? { component: options.component } : {}), ...options.fields };
    return new Logger(core, fields);
  }

  /** A logger that adds `fields` to every entry (later fields win over inherited ones). */
  child(fields: LogFields): Logger {
    return new Logger(this.core, { ...this.fields, ...fields });
  }

  get level(): LogLevel {
    return this.core.level;
  }

  /** Change the threshold of this logger, its parent and all their children. */
  setLevel(level: LogLevel): void {
    this.core.level = level;
  }

  enabled(level: LogLevel): boolean {
    return SEVERITY[level] >= SEVERITY[this.core.level];
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const entry: Record<string, unknown> = { level, time: this.core.now().toISOString(), msg };
    for (const source of [this.fields, fields ?? {}]) {
      for (const [key, value] of Object.entries(source)) {
        if (!RESERVED.has(key) && value !== undefined) entry[key] = value;
      }
    }
    // Logging must never take the program down: a field that cannot be serialized
    // degrades the entry instead of throwing into the caller.
    let line: string;
    try {
      line = JSON.stringify(entry, replacer());
    } catch (error) {
      line = JSON.stringify({
        level,
        time: entry.time,
        msg,
        logError: `fields not serializable: ${String(error)}`,
      });
    }
    try {
      this.core.sink(line);
    } catch {
      // A broken sink (closed stderr) has nowhere to report to.
    }
  }
}

/** Convenience for `Logger.create`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return Logger.create(options);
}

/** A logger that drops everything; the default for library code given no logger. */
export function silentLogger(): Logger {
  return Logger.create({ sink: () => {}, level: 'error' });
}

// Errors serialize to `{}` by default, which hides the one thing a log reader needs; bigint
// throws; cycles throw. This replacer handles all three.
function replacer(): (this: unknown, key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return function (_key, value) {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) return serializeError(value);
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    return value;
  };
}

function serializeError(error: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: error.message };
  // HTTP status codes (client-node's ApiException) and errno codes tell what went wrong.
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (error.stack) out.stack = error.stack;
  if (error.cause !== undefined)
    out.cause = error.cause instanceof Error ? serializeError(error.cause) : error.cause;
  return out;
}
