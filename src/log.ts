/**
 * Structured logging to stderr, one JSON object per line. stdout belongs to JSON-RPC in stdio mode,
 * so nothing here ever writes to it. Callers log events and ids, never patient data or secrets:
 * fields named like secrets are masked as a last line of defence.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /token|secret|password|authorization|api_key/i;

export function createLogger(
  options: { level?: LogLevel; write?: (line: string) => void; base?: LogFields } = {},
): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const base = options.base ?? {};

  const log = (level: LogLevel, event: string, fields: LogFields = {}) => {
    if (LEVELS[level] < threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, event };
    for (const [key, value] of Object.entries({ ...base, ...fields })) {
      if (value !== undefined) record[key] = SECRET_FIELD.test(key) ? "[redacted]" : value;
    }
    write(`${JSON.stringify(record)}\n`);
  };

  return {
    debug: (event, fields) => log("debug", event, fields),
    info: (event, fields) => log("info", event, fields),
    warn: (event, fields) => log("warn", event, fields),
    error: (event, fields) => log("error", event, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything, for tests and benchmarks that do not look at logs. */
export const silentLogger: Logger = createLogger({ write: () => {} });
