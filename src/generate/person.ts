/**
 * The true identity of one synthetic person: who they are, where they live and which
 * practice, trust and laboratory look after them. Source systems get perturbed copies of this
 * (see `perturb.ts`); the ground truth keeps the original.
 */
import { generateTestNhsNumber } from '../fhir/nhs-number.js';
import { addDays, addYears, ageOn, YEAR_DAYS } from './dates.js';
import type { Random } from './random.js';
import { FAMILY_NAMES, GIVEN_NAMES, PREFIXES } from './reference-data/names.js';
import { laboratoryByCode, PRACTICES, trustByCode, type Laboratory, type Practice, type Trust } from './reference-data/organisations.js';
import { DRAMA_LANDLINES, DRAMA_MOBILE, INWARD_LETTERS, STREET_STEMS, STREET_SUFFIXES, TOWNS, type Town } from './reference-data/places.js';

/** A postal address, and since when the person has lived there. */
export interface Address {
  readonly lines: readonly string[];
  readonly city: string;
  readonly postalCode: string;
  /** The day they moved in. */
  readonly since: Date;
}

/** A person as they really are. */
export interface Person {
  /** `person-000001`: the key of the ground truth. */
  readonly personId: string;
  /** Position in the population, from 0. */
  readonly index: number;
  readonly nhsNumber: string;
  readonly sex: 'male' | 'female';
  /** Mr, Mrs, Dr …; none for children. */
  readonly prefix?: string;
  /** Given names in order: first name, then any middle name. */
  readonly given: readonly string[];
  readonly family: string;
  /** Family name before a change (e.g. at marriage), and when it changed. */
  readonly previousFamily?: { readonly name: string; readonly until: Date };
  readonly birthDate: Date;
  /** Age in whole years on the generation date. */
  readonly age: number;
  readonly address: Address;
  /** Where they lived before `address.since`, if they moved in the last few years. */
  readonly previousAddress?: Address;
  readonly phone: string;
  readonly practice: Practice;
  readonly trust: Trust;
  readonly laboratory: Laboratory;
}

/** Age bands and their relative sizes, roughly England's population pyramid. */
const AGE_BANDS: readonly (readonly [readonly [number, number], number])[] = [
  [[0, 4], 5.5], [[5, 17], 15], [[18, 29], 15], [[30, 44], 20], [[45, 59], 19], [[60, 74], 16], [[75, 84], 7], [[85, 99], 2.5],
];

/** A random postcode in one of the town's districts. */
export function postcodeIn(town: Town, random: Random): string {
  const district = random.pick(town.districts);
  const letters = INWARD_LETTERS.charAt(random.int(0, INWARD_LETTERS.length - 1)) + INWARD_LETTERS.charAt(random.int(0, INWARD_LETTERS.length - 1));
  return `${town.area}${district} ${random.int(1, 9)}${letters}`;
}

/** A random street address in `town`. */
function addressIn(town: Town, since: Date, random: Random): Address {
  const street = `${random.int(1, 180)} ${random.pick(STREET_STEMS)} ${random.pick(STREET_SUFFIXES)}`;
  const lines = random.chance(0.12) ? [`Flat ${random.int(1, 24)}`, street] : [street];
  return { lines, city: town.name, postalCode: postcodeIn(town, random), since };
}

function phoneNumber(random: Random): string {
  const digits = random.digits(3);
  return random.chance(0.7) ? `${DRAMA_MOBILE}${digits}` : `${random.pick(DRAMA_LANDLINES)}${digits}`;
}

/**
 * A new person. `index` names them; `now` is the generation date; `nhsNumbers` holds numbers
 * already given out in this population, so that none is given twice (it is updated).
 */
export function createPerson(index: number, now: Date, random: Random, nhsNumbers: Set<string>): Person {
  const sex = random.chance(0.5) ? 'female' : 'male';
  const [lowAge, highAge] = random.weighted(AGE_BANDS);
  const birthDate = addDays(addYears(now, -random.int(lowAge, highAge)), -random.int(1, 364));
  const age = ageOn(birthDate, now);
  const given = [random.pick(GIVEN_NAMES[sex])];
  if (random.chance(0.55)) {
    const middle = random.pick(GIVEN_NAMES[sex]);
    if (middle !== given[0]) given.push(middle);
  }
  const family = random.pick(FAMILY_NAMES);
  const prefix = age < 16 ? undefined : random.weighted(PREFIXES[sex]);
  let previousFamily: Person['previousFamily'];
  if (sex === 'female' && age >= 25 && random.chance(0.2)) {
    let before = random.pick(FAMILY_NAMES);
    if (before === family) before = FAMILY_NAMES[(FAMILY_NAMES.indexOf(before) + 1) % FAMILY_NAMES.length]!;
    previousFamily = { name: before, until: addDays(birthDate, random.int(21, Math.min(age, 40)) * YEAR_DAYS) };
  }
  const town = random.weighted(TOWNS.map((t) => [t, t.weight] as const));
  const practices = PRACTICES.filter((p) => p.town === town.key);
  const practice = random.pick(practices.length > 0 ? practices : PRACTICES);
  const moved = age >= 18 && random.chance(0.35);
  const since = moved ? addDays(now, -random.int(60, 8 * 365)) : addDays(birthDate, Math.min(age, 30) * YEAR_DAYS * random.next());
  const address = addressIn(town, since, random);
  const previousAddress = moved ? addressIn(random.chance(0.8) ? town : random.pick(TOWNS), addDays(since, -random.int(365, 12 * 365)), random) : undefined;
  let nhsNumber = generateTestNhsNumber(() => random.next());
  while (nhsNumbers.has(nhsNumber)) nhsNumber = generateTestNhsNumber(() => random.next());
  nhsNumbers.add(nhsNumber);
  return {
    personId: `person-${String(index + 1).padStart(6, '0')}`,
    index,
    nhsNumber,
    sex,
    ...(prefix !== undefined ? { prefix } : {}),
    given,
    family,
    ...(previousFamily !== undefined ? { previousFamily } : {}),
    birthDate,
    age,
    address,
    ...(previousAddress !== undefined ? { previousAddress } : {}),
    phone: phoneNumber(random),
    practice,
    trust: trustByCode(practice.trust),
    laboratory: laboratoryByCode(practice.laboratory),
  };
}
