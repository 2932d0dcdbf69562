import { describe, expect, it } from "vitest";
import { AppointmentStatus } from "../../src/contract/index.js";
import { canReschedule, transition } from "../../src/sandbox/domain/lifecycle.js";

describe("appointment lifecycle", () => {
  it("follows the guide: scheduled → confirmed → arrived → completed", () => {
    expect(transition("scheduled", "confirmed")).toEqual({ ok: true });
    expect(transition("confirmed", "arrived")).toEqual({ ok: true });
    expect(transition("arrived", "completed")).toEqual({ ok: true });
    expect(transition("scheduled", "arrived")).toEqual({ ok: true }); // walk-in without confirmation
  });

  it("allows cancelling any non-final appointment", () => {
    for (const from of ["scheduled", "confirmed", "arrived"] as const)
      expect(transition(from, "cancelled").ok).toBe(true);
  });

  it("refuses moves out of final states, listing no way forward", () => {
    const result = transition("completed", "cancelled");
    expect(result).toMatchObject({ ok: false, allowed: [] });
    if (!result.ok) expect(result.message).toContain("final state");
    expect(transition("cancelled", "scheduled")).toMatchObject({ ok: false, allowed: [] });
  });

  it("refuses going backwards and says which moves are allowed", () => {
    const result = transition("confirmed", "scheduled");
    expect(result).toEqual({
      ok: false,
      allowed: ["arrived", "cancelled"],
      message: "A confirmed appointment cannot become scheduled; it can become arrived, cancelled.",
    });
    expect(transition("arrived", "arrived")).toMatchObject({
      ok: false,
      message: "The appointment is already arrived.",
    });
  });

  it("lets only appointments that have not started be rescheduled", () => {
    expect(AppointmentStatus.options.filter(canReschedule)).toEqual(["scheduled", "confirmed"]);
  });
});
