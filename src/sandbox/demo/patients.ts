/**
 * Deterministic demo patients: varied names (accents, apostrophes, hyphens), E.164 phones in the
 * reserved 555-01XX range, plausible emails. "Smith" is left to the guide's two patients so the
 * guide's search example (query=Smith) answers exactly as it shows.
 */
import type { PatientRecord } from "../domain/model.js";
import { foldForSearch } from "../domain/text.js";
import { GUIDE_PATIENTS } from "./guide.js";
import { createRandom, stableUuid } from "./random.js";

const FIRST_NAMES = [
  "José",
  "Zoë",
  "Renée",
  "François",
  "Siobhán",
  "Björn",
  "Chloé",
  "Mateo",
  "Olivia",
  "Liam",
  "Ava",
  "Noah",
  "Mia",
  "Ethan",
  "Amelia",
  "Lucas",
  "Harper",
  "Aarav",
  "Priya",
  "Wei",
  "Mei",
  "Hiroshi",
  "Yuki",
  "Fatima",
  "Omar",
  "Aisha",
  "Kwame",
  "Ngozi",
  "Dmitri",
  "Anastasia",
  "Søren",
  "Ingrid",
  "Máire",
  "Seán",
  "Lúcia",
  "João",
  "Inés",
  "Andrés",
  "Camila",
  "Valentina",
  "Thảo",
  "Minh",
  "Giulia",
  "Luca",
  "Emma",
  "James",
  "Sophia",
  "Benjamin",
  "Isabella",
  "Daniel",
  "Grace",
  "Samuel",
  "Nora",
  "Elijah",
  "Hana",
  "Jae-won",
  "Anne-Marie",
];

const LAST_NAMES = [
  "O'Brien",
  "Nguyễn",
  "García",
  "Núñez",
  "Müller",
  "D'Angelo",
  "Johnson",
  "Williams",
  "Brown",
  "Jones",
  "Miller",
  "Davis",
  "Rodríguez",
  "Martínez",
  "Hernández",
  "López",
  "González",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Pérez",
  "Thompson",
  "White",
  "Harris",
  "Sánchez",
  "Clark",
  "Ramírez",
  "Lewis",
  "Robinson",
  "Walker",
  "Young",
  "Allen",
  "King",
  "Wright",
  "Scott",
  "Torres",
  "Hill",
  "Flores",
  "Green",
  "Adams",
  "Nelson",
  "Baker",
  "Hall",
  "Rivera",
  "Campbell",
  "Mitchell",
  "Carter",
  "Roberts",
  "Kowalski",
  "Søndergaard",
  "Åberg",
  "Öztürk",
  "Dubois",
  "Lefèvre",
  "Rossi",
  "Bianchi",
  "Tanaka",
  "Yamamoto",
  "Kim",
  "Park",
  "Chen",
  "Wang",
  "Singh",
  "Patel",
  "Okonkwo",
  "Mensah",
  "MacDonald",
  "O'Neill",
  "Fitzgerald",
  "Smith-Jones",
  "Van der Berg",
  "Trần",
  "Phạm",
  "Lê",
].filter((name) => !foldForSearch(name).includes("smith"));

/** Always present, so searches for accented and apostrophe names have something to find. */
const FEATURED_NAMES: readonly [string, string][] = [
  ["José", "García"],
  ["Zoë", "O'Brien"],
  ["Mai", "Nguyễn"],
  ["Renée", "D'Angelo"],
  ["Siobhán", "Ní Bhriain"],
  ["François", "Lefèvre"],
];

const AREA_CODES = [
  "415",
  "510",
  "650",
  "628",
  "408",
  "707",
  "925",
  "212",
  "718",
  "917",
  "646",
  "347",
  "929",
  "332",
  "312",
  "773",
  "872",
  "224",
  "630",
  "847",
];
/** Distinct numbers available: the 555-0100..0199 block of each area code, minus the guide's two. */
export const MAX_PATIENTS = AREA_CODES.length * 100 - GUIDE_PATIENTS.length;
const EMAIL_DOMAINS = ["example.com", "example.org", "example.net"];

/** `count` patients including the guide's two, which come first. */
export function generatePatients(count: number, providerUuids: readonly string[]): PatientRecord[] {
  if (count > MAX_PATIENTS)
    throw new RangeError(`at most ${MAX_PATIENTS} demo patients can have distinct phones, asked ${count}`);
  const random = createRandom("demo:patients");
  const taken = new Set(GUIDE_PATIENTS.map((p) => p.primary_phone));
  const names = new Set(GUIDE_PATIENTS.map((p) => `${p.first_name} ${p.last_name}`));
  const emails = new Set(GUIDE_PATIENTS.map((p) => p.email));
  const patients: PatientRecord[] = GUIDE_PATIENTS.map((p) => ({ ...p }));

  while (patients.length < count) {
    const featured = FEATURED_NAMES[patients.length - GUIDE_PATIENTS.length];
    const [first_name, last_name] = featured ?? [random.pick(FIRST_NAMES), random.pick(LAST_NAMES)];
    const fullName = `${first_name} ${last_name}`;
    if (names.has(fullName)) continue;
    names.add(fullName);

    let phone: string;
    do phone = `+1${random.pick(AREA_CODES)}55501${String(random.int(0, 99)).padStart(2, "0")}`;
    while (taken.has(phone));
    taken.add(phone);

    const local = `${foldForSearch(first_name)}.${foldForSearch(last_name)}`.replace(/[^a-z.]/g, "");
    let email: string | null = `${local}@${random.pick(EMAIL_DOMAINS)}`;
    if (emails.has(email) || random.chance(0.08)) email = null;
    else emails.add(email);

    const year = random.int(1940, 2019);
    const month = random.int(1, 12);
    const day = random.int(1, 28);
    patients.push({
      uuid: stableUuid(`patient:${patients.length}`),
      first_name,
      last_name,
      date_of_birth: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
      primary_phone: phone,
      email,
      preferred_provider_uuid: random.chance(0.3) ? random.pick(providerUuids) : null,
    });
  }
  return patients;
}
