/** The PostgreSQL backend's in-process wait lines: one task per key at a time, in order; a stuck head sheds its line. */
import { describe, expect, it } from "vitest";
import { WaitLines } from "../../src/sandbox/storage/wait-lines.js";

class Busy extends Error {}
const lines = (maxWaitMs = 1_000) =>
  new WaitLines({ maxWaitMs, tooLong: () => new Busy("waited too long"), shedsQueue: (e) => e instanceof Busy });

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("WaitLines", () => {
  it("runs tasks of one key one at a time, in arrival order; other keys do not wait", async () => {
    const waits = lines();
    const order: string[] = [];
    const first = deferred();
    const a1 = waits.run(["p1"], async () => {
      order.push("a1 start");
      await first.promise;
      order.push("a1 end");
    });
    const a2 = waits.run(["p1"], async () => void order.push("a2"));
    const b = waits.run(["p2"], async () => void order.push("b"));
    await b;
    expect(order).toEqual(["a1 start", "b"]);
    first.resolve();
    await Promise.all([a1, a2]);
    expect(order).toEqual(["a1 start", "b", "a1 end", "a2"]);
    expect(waits.size).toBe(0);
  });

  it("when the head fails with a shedding error, everyone queued behind it fails with it at once", async () => {
    const waits = lines(10_000);
    const head = deferred();
    const running = waits.run(["p"], () => head.promise);
    const queued = [waits.run(["p"], async () => "ran"), waits.run(["p"], async () => "ran")];
    const lockTimeout = new Busy("lock timeout");
    head.reject(lockTimeout);
    await expect(running).rejects.toBe(lockTimeout);
    for (const task of queued) await expect(task).rejects.toBe(lockTimeout);
    // The line is free again for the next one.
    expect(await waits.run(["p"], async () => "next")).toBe("next");
  });

  it("any other failure of the head passes the key on to the next task", async () => {
    const waits = lines();
    const head = deferred();
    const running = waits.run(["p"], () => head.promise);
    const next = waits.run(["p"], async () => "ran");
    head.reject(new Error("a conflict"));
    await expect(running).rejects.toThrow("a conflict");
    expect(await next).toBe("ran");
  });

  it("a task that waits longer than maxWaitMs fails with tooLong, and gives up what it already held", async () => {
    const waits = lines(50);
    const head = deferred();
    const running = waits.run(["p2"], () => head.promise);
    // Holds p1, then waits for p2 behind the head.
    await expect(waits.run(["p1", "p2"], async () => "ran")).rejects.toThrow("waited too long");
    expect(await waits.run(["p1"], async () => "p1 free")).toBe("p1 free");
    head.resolve();
    await running;
  });
});
