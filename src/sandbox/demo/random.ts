/**
 * A small seeded PRNG (sfc32) so the demo practice is the same on every run: Math.random is never
 * used. Seeds are strings, hashed, so each kind of record can have its own stable stream.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** A random RFC 9562 version-4 uuid (version and variant bits set). */
  uuid(): string;
}

/** FNV-1a, 32 bits: spreads a seed string over the PRNG's state. */
function hash(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function createRandom(seed: string): Random {
  let a = hash(seed, 1);
  let b = hash(seed, 2);
  let c = hash(seed, 3);
  let d = 1;
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32(); // let the state mix before the first output

  const random: Random = {
    next: () => nextUint32() / 2 ** 32,
    int: (min, max) => min + Math.floor(random.next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new RangeError("cannot pick from an empty list");
      return items[random.int(0, items.length - 1)] as (typeof items)[number];
    },
    chance: (probability) => random.next() < probability,
    uuid: () => {
      const bytes = Array.from({ length: 16 }, () => nextUint32() & 0xff);
      bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
      bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
      const hex = bytes.map((byte) => byte.toString(16).padStart(2, "0")).join("");
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
  };
  return random;
}

/** A stable v4 uuid for a named record, e.g. stableUuid("provider:okafor"). */
export function stableUuid(name: string): string {
  return createRandom(`uuid:${name}`).uuid();
}
