/**
 * The clinicians of the fictional organisations: GPs and practice nurses at each practice,
 * consultants at each trust. Built once from a fixed seed, so the same people exist whatever
 * seed a population is generated with (their shared bundle is the same for every run).
 * SDS user IDs and GMC numbers are random digits, not real registrations.
 */
import { Random } from '../random.js';
import { FAMILY_NAMES, GIVEN_NAMES } from './names.js';
import { PRACTICES, SPECIALTIES, TRUSTS, type Specialty } from './organisations.js';

/** A clinician. */
export interface StaffMember {
  /** Spine directory (SDS) user ID: 12 digits. */
  readonly sdsUserId: string;
  /** General Medical Council number (7 digits), for doctors. */
  readonly gmcNumber?: string;
  readonly role: 'gp' | 'practice-nurse' | 'consultant';
  readonly prefix: string;
  readonly given: string;
  readonly family: string;
  readonly gender: 'male' | 'female';
  /** ODS code of the practice or trust they work for. */
  readonly organisation: string;
  /** For consultants. */
  readonly specialty?: Specialty;
}

function buildStaff(): StaffMember[] {
  const random = new Random(0x5eed_57af);
  const used = new Set<string>();
  const person = (role: StaffMember['role'], organisation: string, specialty?: Specialty): StaffMember => {
    const gender = random.chance(0.5) ? 'female' : 'male';
    let sdsUserId: string;
    do sdsUserId = `55${random.digits(10)}`; while (used.has(sdsUserId));
    used.add(sdsUserId);
    const isDoctor = role !== 'practice-nurse';
    return {
      sdsUserId,
      ...(isDoctor ? { gmcNumber: String(random.int(4_000_000, 7_999_999)) } : {}),
      role,
      prefix: isDoctor ? 'Dr' : gender === 'female' ? random.pick(['Mrs', 'Ms', 'Miss']) : 'Mr',
      given: random.pick(GIVEN_NAMES[gender]),
      family: random.pick(FAMILY_NAMES),
      gender,
      organisation,
      ...(specialty !== undefined ? { specialty } : {}),
    };
  };
  const staff: StaffMember[] = [];
  for (const practice of PRACTICES) {
    for (let i = 0; i < 3; i++) staff.push(person('gp', practice.odsCode));
    staff.push(person('practice-nurse', practice.odsCode));
  }
  for (const trust of TRUSTS) for (const specialty of SPECIALTIES) staff.push(person('consultant', trust.odsCode, specialty));
  return staff;
}

/** Every clinician, in a fixed order. */
export const STAFF: readonly StaffMember[] = buildStaff();

/** The clinicians of an organisation with a role (and, for consultants, a specialty). */
export function staffOf(organisation: string, role: StaffMember['role'], specialty?: Specialty): readonly StaffMember[] {
  const found = STAFF.filter((s) => s.organisation === organisation && s.role === role && (specialty === undefined || s.specialty === specialty));
  if (found.length === 0) throw new Error(`No ${role} at ${organisation}${specialty ? ` in ${specialty}` : ''}`);
  return found;
}
