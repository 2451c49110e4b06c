/**
 * How each source system records a person's demographics, with the mistakes and staleness of
 * real records: typing errors in names, given names in the wrong order, a short form of the
 * first name, an address or family name the system was never told had changed, day and month
 * of birth swapped, and a missing NHS number (often, in laboratory systems). Every change is
 * listed, so that record-matching tests know what they are up against.
 */
import type { Address, Person } from './person.js';
import type { Random } from './random.js';
import { SHORT_FORMS } from './reference-data/names.js';
import type { SourceKind } from './sources.js';

/** A change made to one source's copy of a person's demographics. */
export type Perturbation =
  | 'family-name-typo'
  | 'given-name-typo'
  | 'given-names-swapped'
  | 'given-name-short-form'
  | 'middle-name-missing'
  | 'family-name-upper-case'
  | 'previous-family-name'
  | 'previous-address'
  | 'birth-date-day-month-swapped'
  | 'nhs-number-missing'
  | 'phone-missing';

/** One source system's copy of the demographics. */
export interface SourceDemographics {
  readonly prefix?: string;
  readonly given: readonly string[];
  readonly family: string;
  /** `YYYY-MM-DD`. */
  readonly birthDate: string;
  readonly address: Address;
  readonly phone?: string;
  readonly nhsNumber?: string;
  readonly perturbations: readonly Perturbation[];
}

/** How likely each change is, by kind of source. The GP record is the best kept. */
const RATES: Readonly<Record<SourceKind, Readonly<Record<Exclude<Perturbation, 'family-name-upper-case'>, number>>>> = {
  gp: {
    'family-name-typo': 0.01, 'given-name-typo': 0.01, 'given-names-swapped': 0.005, 'given-name-short-form': 0.01,
    'middle-name-missing': 0.02, 'previous-family-name': 0.02, 'previous-address': 0.03, 'birth-date-day-month-swapped': 0.002,
    'nhs-number-missing': 0.005, 'phone-missing': 0.05,
  },
  hospital: {
    'family-name-typo': 0.04, 'given-name-typo': 0.03, 'given-names-swapped': 0.03, 'given-name-short-form': 0.06,
    'middle-name-missing': 0.1, 'previous-family-name': 0.5, 'previous-address': 0.6, 'birth-date-day-month-swapped': 0.01,
    'nhs-number-missing': 0.04, 'phone-missing': 0.1,
  },
  laboratory: {
    'family-name-typo': 0.06, 'given-name-typo': 0.04, 'given-names-swapped': 0.04, 'given-name-short-form': 0.03,
    'middle-name-missing': 0.4, 'previous-family-name': 0.3, 'previous-address': 0.4, 'birth-date-day-month-swapped': 0.015,
    'nhs-number-missing': 0.25, 'phone-missing': 0.85,
  },
};

/** Keys near each other on a UK keyboard, for plausible mistypes. */
const NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'sq', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k', m: 'n',
  n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'ry', u: 'yi', v: 'cb', w: 'qe', x: 'zc', y: 'tu', z: 'x',
};

/** A plausible typing error in `name`: two letters swapped, one dropped, one doubled or one mistyped. */
export function typo(name: string, random: Random): string {
  if (name.length < 3) return name + name.charAt(name.length - 1);
  for (let attempt = 0; attempt < 8; attempt++) {
    const i = random.int(1, name.length - 2);
    const kind = random.int(0, 3);
    let out: string;
    if (kind === 0) out = name.slice(0, i) + name.charAt(i + 1) + name.charAt(i) + name.slice(i + 2);
    else if (kind === 1) out = name.slice(0, i) + name.slice(i + 1);
    else if (kind === 2) out = name.slice(0, i) + name.charAt(i) + name.slice(i);
    else {
      const near = NEIGHBOURS[name.charAt(i).toLowerCase()];
      out = near ? name.slice(0, i) + near.charAt(random.int(0, near.length - 1)) + name.slice(i + 1) : name;
    }
    if (out !== name) return out;
  }
  return `${name}${name.charAt(name.length - 1)}`;
}

/**
 * The demographics as recorded by a source of `kind`. `lastContact` is when that source last
 * updated its record: an address or family name that changed after it is still the old one
 * there (if the draw says the source missed the change).
 */
export function recordDemographics(person: Person, kind: SourceKind, lastContact: Date, random: Random): SourceDemographics {
  const rates = RATES[kind];
  const applied: Perturbation[] = [];
  const roll = (p: Exclude<Perturbation, 'family-name-upper-case'>) => random.chance(rates[p]);

  let given = [...person.given];
  if (given.length > 1 && roll('given-names-swapped')) {
    given = [given[1]!, given[0]!, ...given.slice(2)];
    applied.push('given-names-swapped');
  } else if (given.length > 1 && roll('middle-name-missing')) {
    given = [given[0]!];
    applied.push('middle-name-missing');
  }
  const short = SHORT_FORMS[given[0]!];
  if (short !== undefined && roll('given-name-short-form')) {
    given[0] = short;
    applied.push('given-name-short-form');
  } else if (roll('given-name-typo')) {
    given[0] = typo(given[0]!, random);
    applied.push('given-name-typo');
  }

  let family = person.family;
  if (person.previousFamily !== undefined && lastContact.getTime() < person.previousFamily.until.getTime() && roll('previous-family-name')) {
    family = person.previousFamily.name;
    applied.push('previous-family-name');
  }
  if (roll('family-name-typo')) {
    family = typo(family, random);
    applied.push('family-name-typo');
  }
  if (kind === 'laboratory') {
    // Laboratory systems commonly hold surnames in capitals: a difference of form, not of fact.
    family = family.toUpperCase();
    applied.push('family-name-upper-case');
  }

  let address = person.address;
  const previous = person.previousAddress;
  if (previous !== undefined && lastContact.getTime() < person.address.since.getTime() && roll('previous-address')) {
    address = previous;
    applied.push('previous-address');
  }

  let birthDate = person.birthDate.toISOString().slice(0, 10);
  const [y, m, d] = birthDate.split('-');
  if (Number(d) <= 12 && d !== m && roll('birth-date-day-month-swapped')) {
    birthDate = `${y}-${d}-${m}`;
    applied.push('birth-date-day-month-swapped');
  }

  const missingNhs = roll('nhs-number-missing');
  if (missingNhs) applied.push('nhs-number-missing');
  const missingPhone = roll('phone-missing');
  if (missingPhone) applied.push('phone-missing');

  return {
    ...(person.prefix !== undefined && kind !== 'laboratory' ? { prefix: person.prefix } : {}),
    given,
    family,
    birthDate,
    address,
    ...(missingPhone ? {} : { phone: person.phone }),
    ...(missingNhs ? {} : { nhsNumber: person.nhsNumber }),
    perturbations: applied,
  };
}
