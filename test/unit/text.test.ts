import { describe, expect, it } from "vitest";
import { foldForSearch, normalisePhone } from "../../src/sandbox/domain/text.js";

describe("foldForSearch", () => {
  it.each([
    ["José", "jose"],
    ["ZOË", "zoe"],
    ["Nguyễn Thị", "nguyen thi"],
    ["  Renée   O'Brien ", "renee o'brien"],
    ["François\tMüller", "francois muller"],
    ["Smith", "smith"],
    ["Søren Łukasz", "soren lukasz"],
    ["Đặng Straße", "dang strasse"],
  ])("%j → %j", (input, folded) => {
    expect(foldForSearch(input)).toBe(folded);
  });

  it("treats precomposed and decomposed accents alike", () => {
    expect(foldForSearch("Jose\u0301")).toBe(foldForSearch("Jos\u00e9"));
  });
});

describe("normalisePhone", () => {
  it.each([
    ["+1-415-555-0148", "+14155550148"],
    ["(415) 555-0148", "+14155550148"],
    ["415.555.0148", "+14155550148"],
    ["415 555 0148", "+14155550148"],
    ["1 415 555 0148", "+14155550148"],
    [" +1 (212) 555-0199 ", "+12125550199"],
    ["+44 20 7946 0958", "+442079460958"],
  ])("%j → %j", (input, e164) => {
    expect(normalisePhone(input)).toEqual({ ok: true, e164 });
  });

  it("reads national numbers in the given country", () => {
    expect(normalisePhone("020 7946 0958", "GB")).toEqual({ ok: true, e164: "+442079460958" });
  });

  it.each(["", "call me", "555-0148", "12345", "+1 415 555 01489999", "+999 123 456"])("rejects %j with the expected form", (input) => {
    const result = normalisePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("+1-415-555-0148");
  });
});
