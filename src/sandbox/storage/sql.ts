/**
 * SQL text with its parameters kept apart, written once for both databases: sql`… ${value} …` makes each
 * interpolated value a parameter, and the dialect numbers the placeholders its own way (`?` or `$1`) when it
 * runs the statement. A value that is itself `Sql` (a fragment, or `raw` text) is spliced in, so conditions
 * compose without anyone counting placeholders.
 *
 * A statement's text is its `texts` array, and a dialect may remember what it prepared by that array's
 * identity: a template without fragments keeps the template's own strings (one array per place in the
 * code), and one whose fragments are constants (raw text held in a module constant) gets the same spliced
 * array every time, so the hot statements are neither spliced, rendered nor hashed again.
 */
export class Sql {
  constructor(
    /** The text around the parameters: always one more than `values`. */
    readonly texts: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The text with `placeholder(n)` (n from 1) in place of the n-th parameter. */
  render(placeholder: (n: number) => string): string {
    let text = this.texts[0] ?? "";
    for (let i = 1; i < this.texts.length; i++) text += placeholder(i) + this.texts[i];
    return text;
  }
}

/** Per template: the constant fragments it was last given (undefined for plain values), and the texts they made. */
const spliced = new WeakMap<TemplateStringsArray, { fragments: (Sql | undefined)[]; texts: readonly string[] }>();

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  if (!values.some((value) => value instanceof Sql)) return new Sql(strings, values);
  const fragments = values.map((value) => (value instanceof Sql ? value : undefined));
  const constant = fragments.every((fragment) => fragment === undefined || fragment.values.length === 0);
  const last = constant ? spliced.get(strings) : undefined;
  if (last && fragments.every((fragment, i) => fragment === last.fragments[i])) {
    return new Sql(
      last.texts,
      values.filter((value) => !(value instanceof Sql)),
    );
  }
  const texts = [strings[0] ?? ""];
  const params: unknown[] = [];
  values.forEach((value, index) => {
    const after = strings[index + 1] ?? "";
    if (value instanceof Sql) {
      // Splice: the fragment's first text joins ours, its last text starts the next one.
      texts[texts.length - 1] += value.texts[0] ?? "";
      for (let i = 1; i < value.texts.length; i++) texts.push(value.texts[i] ?? "");
      params.push(...value.values);
      texts[texts.length - 1] += after;
    } else {
      params.push(value);
      texts.push(after);
    }
  });
  if (constant) spliced.set(strings, { fragments, texts });
  return new Sql(texts, params);
}

/** Text taken as SQL, not as a parameter: identifiers and keywords chosen by our code, never input. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

export function join(parts: readonly Sql[], separator: string): Sql {
  const texts: string[] = [];
  const values: unknown[] = [];
  parts.forEach((part, index) => {
    const [first = "", ...rest] = part.texts;
    if (index === 0) texts.push(first);
    else texts[texts.length - 1] += separator + first;
    texts.push(...rest);
    values.push(...part.values);
  });
  return new Sql(texts.length > 0 ? texts : [""], values);
}
