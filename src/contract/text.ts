/**
 * Pure text rules shared by both sides of the API: how names are folded for matching (the sandbox's
 * search keys and the MCP server's identity check must never disagree), and which characters have no
 * place in one line of text.
 */

/** Letters that Unicode does not decompose into a base letter and a mark. */
const UNDECOMPOSABLE: Readonly<Record<string, string>> = {
  ø: "o",
  æ: "ae",
  œ: "oe",
  ß: "ss",
  đ: "d",
  ð: "d",
  ł: "l",
  þ: "th",
  ı: "i",
};

/** Lowercase, without diacritics, single-spaced and trimmed: "  José  NGUYỄN " → "jose nguyen". */
export function foldName(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[øæœßđðłþı]/g, (letter) => UNDECOMPOSABLE[letter] ?? letter)
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Characters that let one line of text pass itself off as several, reorder what a reader sees, or hide
 * text: what turns a name into an instruction in a model's context or a spoofed record on a screen.
 */
const HIDDEN_OR_BREAKING: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /[\n\r\u0085\u2028\u2029]/u, what: "a line break" },
  { pattern: /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/u, what: "a bidirectional control character" },
  { pattern: /[\u200b-\u200d\u2060\ufeff]/u, what: "a zero-width character" },
  { pattern: /\p{Cc}/u, what: "a control character" },
];

/**
 * The first character of `value` that has no place in one line of text, described for an error
 * message ("a line break (U+000A)"), or undefined when there is none.
 */
export function findLineBreaker(value: string): string | undefined {
  for (const { pattern, what } of HIDDEN_OR_BREAKING) {
    const found = pattern.exec(value)?.[0];
    if (found !== undefined) return `${what} (U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`;
  }
  return undefined;
}
