/**
 * In-process wait lines, one per key: tasks that hold the same key run one at a time, in arrival order.
 *
 * The PostgreSQL backend queues its transactions per provider here before it takes a connection. They
 * would wait for each other on the provider's advisory lock anyway; waiting in memory instead keeps a
 * burst for one provider from holding every pooled connection, so reads, authentication and bookings of
 * other providers still get one. When the task at the head of a line fails with an error that says the
 * lock cannot be had (`shedsQueue`: a lock or pool timeout), everyone queued behind it would meet the same
 * wall: they fail at once with that error instead of each waiting its turn to time out.
 */
interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
}

interface Line {
  waiting: Waiter[];
}

export interface WaitLineOptions {
  /** Longest a task waits for its keys; then it fails with `tooLong()`. */
  maxWaitMs: number;
  tooLong: () => Error;
  /** Whether the head's failure means the tasks queued behind it would fail the same way. */
  shedsQueue: (error: unknown) => boolean;
}

export class WaitLines {
  /** A key is held while it has a line; waiters queue in it. */
  private readonly lines = new Map<string, Line>();

  constructor(private readonly options: WaitLineOptions) {}

  /** Runs `task` once it holds every one of `keys` (taken in sorted order, so that lines never wait in a cycle). */
  async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const deadline = Date.now() + this.options.maxWaitMs;
    const held: string[] = [];
    try {
      for (const key of sorted) {
        await this.acquire(key, deadline);
        held.push(key);
      }
    } catch (error) {
      for (const key of held) this.release(key, undefined);
      throw error;
    }
    let failure: unknown;
    try {
      return await task();
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      for (const key of held) this.release(key, failure);
    }
  }

  /** Keys held or waited for right now (for tests). */
  get size(): number {
    return this.lines.size;
  }

  private acquire(key: string, deadline: number): Promise<void> {
    const line = this.lines.get(key);
    if (!line) {
      this.lines.set(key, { waiting: [] });
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(
          () => {
            line.waiting.splice(line.waiting.indexOf(waiter), 1);
            reject(this.options.tooLong());
          },
          Math.max(0, deadline - Date.now()),
        ),
      };
      line.waiting.push(waiter);
    });
  }

  private release(key: string, failure: unknown): void {
    const line = this.lines.get(key);
    if (!line) return;
    if (failure !== undefined && this.options.shedsQueue(failure)) {
      for (const waiter of line.waiting.splice(0)) {
        clearTimeout(waiter.timer);
        waiter.reject(failure);
      }
    }
    const next = line.waiting.shift();
    if (!next) {
      this.lines.delete(key);
      return;
    }
    clearTimeout(next.timer);
    next.resolve();
  }
}
