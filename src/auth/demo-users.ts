/**
 * Demo users for the demo data set: two patients, a carer with proxy access to a child, a GP, a
 * hospital doctor and a practice administrator, each attached to a real resource in the loaded
 * data. Passwords are random per database (not in the source), stored in plain text for demo
 * users only so `npm start` and `tessera users` can print them.
 */
import { randomUUID } from 'node:crypto';
import { parseSearch } from '../search/parse-search.js';
import type { SearchRegistry } from '../search/registry.js';
import type { SearchRequest } from '../search/search-request.js';
import type { SearchPage } from '../store/search-executor.js';
import { AuthStore, type AuthUser } from '../store/auth-store.js';
import type { SqlClient } from '../store/database.js';
import { generateDemoPassword, hashPassword } from './passwords.js';

/** A FHIR resource picked for a demo user. */
export interface DemoResource {
  id: string;
  name: string;
}

/** The FHIR resources the demo users are attached to. */
export interface DemoIdentities {
  /** Adult patients with their own accounts (at least one). */
  patients: DemoResource[];
  /** An adult patient who is also a carer … */
  carer?: DemoResource;
  /** … with proxy access to these patients (e.g. a child). */
  proxyFor: DemoResource[];
  gp?: DemoResource;
  hospitalDoctor?: DemoResource;
  practiceAdmin?: DemoResource;
  gpPractice?: DemoResource;
  hospital?: DemoResource;
}

/** A demo user as printed for people trying Tessera. */
export interface DemoUser {
  username: string;
  password: string;
  role: string;
  displayName: string;
  fhirUser?: string;
  /** For carers: the patients they may act for. */
  proxyFor?: string[];
}

/** What `pickDemoIdentities` needs from the FHIR store. */
export interface DemoSearchSource {
  registry: SearchRegistry;
  search(req: SearchRequest): Promise<SearchPage>;
}

interface NamedResource {
  id: string;
  meta?: { source?: string };
  name?: { given?: string[]; family?: string; prefix?: string[] }[];
  deceasedDateTime?: string;
  deceasedBoolean?: boolean;
  birthDate?: string;
}

function displayName(r: NamedResource, fallback: string): string {
  const n = r.name?.[0];
  const text = [...(n?.given ?? []), n?.family].filter(Boolean).join(' ');
  return text || fallback;
}

function yearsBefore(now: Date, years: number): string {
  const d = new Date(now);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
}

async function find(source: DemoSearchSource, type: string, query: [string, string][], count: number): Promise<NamedResource[]> {
  const page = await source.search(parseSearch(source.registry, type, [...query, ['_sort', '_id'], ['_count', String(count)]]));
  return page.matches.map((m) => JSON.parse(m.json) as NamedResource);
}

const isAlive = (r: NamedResource) => !r.deceasedDateTime && r.deceasedBoolean !== true;

const NHS_NUMBER = 'https://fhir.nhs.uk/Id/nhs-number';
/** GP systems of the synthetic UK population (see `generate/sources.ts`). */
const UK_GP_SOURCE = /^https:\/\/tessera\.example\/systems\/gp-/;
const RECORD_TYPES = ['Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization', 'Observation', 'DiagnosticReport', 'Encounter', 'DocumentReference'];

/** How many entries a patient's record holds (across linked records). */
async function recordSize(source: DemoSearchSource, id: string): Promise<number> {
  let n = 0;
  for (const type of RECORD_TYPES) {
    const req = parseSearch(source.registry, type, [['_summary', 'count']]);
    req.compartment = { type: 'Patient', id };
    n += (await source.search(req)).total ?? 0;
  }
  return n;
}

/**
 * The UK GP records (people of the synthetic UK population, whose records span several
 * systems), adults by record size (largest first) and children youngest first; empty when that
 * population is not loaded.
 */
async function ukPatients(source: DemoSearchSource, now: Date): Promise<{ adults: NamedResource[]; children: NamedResource[] }> {
  const all = (await find(source, 'Patient', [['identifier', `${NHS_NUMBER}|`]], 1000)).filter((p) => isAlive(p) && UK_GP_SOURCE.test(p.meta?.source ?? ''));
  const adultCutoff = yearsBefore(now, 18);
  const childCutoff = yearsBefore(now, 11);
  const sized = await Promise.all(all.filter((p) => (p.birthDate ?? '') <= adultCutoff).map(async (p) => ({ p, n: await recordSize(source, p.id) })));
  const adults = sized.sort((a, b) => b.n - a.n || a.p.id.localeCompare(b.p.id)).map((x) => x.p);
  const children = all.filter((p) => (p.birthDate ?? '') >= childCutoff).sort((a, b) => (b.birthDate ?? '').localeCompare(a.birthDate ?? '') || a.id.localeCompare(b.id));
  return { adults, children };
}

/**
 * Chooses demo identities from the loaded data, deterministically. People of the synthetic UK
 * population come first (their records span GP, hospital and laboratory): the `patient` user
 * gets the largest record, the carer is an adult linked to the youngest child. Otherwise
 * (first by id): living adults for the patients and the carer, a living child under 11 for the
 * carer's proxy access. Practitioners for the staff, organisations for their workplaces.
 * Undefined when there are no patients at all.
 */
export async function pickDemoIdentities(source: DemoSearchSource, now: Date): Promise<DemoIdentities | undefined> {
  const uk = await ukPatients(source, now);
  const otherAdults = (await find(source, 'Patient', [['birthdate', `le${yearsBefore(now, 18)}`]], 30)).filter(isAlive);
  const otherChildren = (await find(source, 'Patient', [['birthdate', `ge${yearsBefore(now, 11)}`]], 10)).filter(isAlive);
  const adults = [...uk.adults, ...otherAdults.filter((a) => !uk.adults.some((u) => u.id === a.id))];
  const children = [...uk.children, ...otherChildren.filter((c) => !uk.children.some((u) => u.id === c.id))];
  if (adults.length === 0) return undefined;
  const asDemo = (r: NamedResource, fallback: string): DemoResource => ({ id: r.id, name: displayName(r, fallback) });
  const practitioners = await find(source, 'Practitioner', [], 3);
  const organizations = await find(source, 'Organization', [], 2);
  const ids: DemoIdentities = {
    patients: adults.slice(0, 2).map((r) => asDemo(r, 'Demo patient')),
    proxyFor: [],
  };
  const dependant = children[0] ?? adults[3];
  // A carer from the same family when there is one (same surname), else the next adult.
  const family = dependant?.name?.[0]?.family;
  const carer = adults.slice(2).find((a) => a.id !== dependant?.id && family !== undefined && a.name?.[0]?.family === family) ?? adults.slice(2).find((a) => a.id !== dependant?.id);
  if (carer) ids.carer = asDemo(carer, 'Demo carer');
  if (ids.carer && dependant) ids.proxyFor.push(asDemo(dependant, 'Demo dependant'));
  if (practitioners[0]) ids.gp = asDemo(practitioners[0], 'Demo GP');
  if (practitioners[1]) ids.hospitalDoctor = asDemo(practitioners[1], 'Demo hospital doctor');
  if (practitioners[2]) ids.practiceAdmin = asDemo(practitioners[2], 'Demo practice administrator');
  // Staff work where the demo patient is cared for, so they have a care relationship with the
  // record: the GP at the patient's registered practice, the hospital doctor at the hospital an
  // open referral went to.
  const main = adults[0]!;
  const practiceId = /^Organization\/(.+)$/.exec((main as { generalPractitioner?: { reference?: string }[] }).generalPractitioner?.[0]?.reference ?? '')?.[1];
  const referrals = await find(source, 'ServiceRequest', [['patient', main.id], ['status', 'active']], 5);
  const hospitalId = referrals.map((r) => /^Organization\/(.+)$/.exec((r as { performer?: { reference?: string }[] }).performer?.[0]?.reference ?? '')?.[1]).find(Boolean);
  const org = (id: string | undefined, fallback: NamedResource | undefined) => (id ? { id, name: id } : fallback ? { id: fallback.id, name: fallback.id } : undefined);
  const gpPractice = org(practiceId, organizations[0]);
  const hospital = org(hospitalId, organizations[1]);
  if (gpPractice) ids.gpPractice = gpPractice;
  if (hospital) ids.hospital = hospital;
  return ids;
}

interface Planned {
  username: string;
  role: string;
  displayName: string;
  fhirUser?: string;
  organization?: string;
  proxyFor?: DemoResource[];
}

function plan(ids: DemoIdentities): Planned[] {
  const out: Planned[] = [];
  ids.patients.forEach((p, i) => out.push({ username: i === 0 ? 'patient' : `patient${i + 1}`, role: 'patient', displayName: p.name, fhirUser: `Patient/${p.id}` }));
  if (ids.carer) out.push({ username: 'carer', role: 'carer', displayName: ids.carer.name, fhirUser: `Patient/${ids.carer.id}`, proxyFor: ids.proxyFor });
  const org = (o?: DemoResource) => (o ? { organization: `Organization/${o.id}` } : {});
  if (ids.gp) out.push({ username: 'gp', role: 'gp', displayName: `Dr ${ids.gp.name}`, fhirUser: `Practitioner/${ids.gp.id}`, ...org(ids.gpPractice) });
  if (ids.hospitalDoctor) out.push({ username: 'doctor', role: 'hospital-doctor', displayName: `Dr ${ids.hospitalDoctor.name}`, fhirUser: `Practitioner/${ids.hospitalDoctor.id}`, ...org(ids.hospital) });
  if (ids.practiceAdmin) out.push({ username: 'admin', role: 'practice-admin', displayName: ids.practiceAdmin.name, fhirUser: `Practitioner/${ids.practiceAdmin.id}`, ...org(ids.gpPractice) });
  return out;
}

/**
 * Creates the demo users for `ids` (idempotent: existing usernames keep their password) and the
 * carer's proxy access ("record appointments prescriptions", as a practice might set it).
 * Returns every demo user with its password.
 */
export async function seedDemoUsers(db: SqlClient, ids: DemoIdentities): Promise<DemoUser[]> {
  const store = new AuthStore(db);
  for (const p of plan(ids)) {
    const existing = await store.findUserByUsername(p.username);
    let userId = existing?.id;
    if (!existing) {
      const password = generateDemoPassword();
      const user: Omit<AuthUser, 'disabled'> = {
        id: randomUUID(), username: p.username, displayName: p.displayName, role: p.role,
        passwordHash: await hashPassword(password), demoPassword: password,
        ...(p.fhirUser ? { fhirUser: p.fhirUser } : {}), ...(p.organization ? { organization: p.organization } : {}),
      };
      // Another node may have created it in the meantime; then use theirs.
      if (await store.createUser(user)) userId = user.id;
      else userId = (await store.findUserByUsername(p.username))?.id;
    }
    for (const d of p.proxyFor ?? []) {
      if (userId) await store.setProxyRelationship({ carerUserId: userId, patientId: d.id, permissions: ['record', 'appointments', 'prescriptions'] });
    }
  }
  return listDemoUsers(db);
}

/** Every demo user with its password and (for carers) whom they act for. */
export async function listDemoUsers(db: SqlClient, now = new Date()): Promise<DemoUser[]> {
  const store = new AuthStore(db);
  const users = await store.listUsers({ demoOnly: true });
  const out: DemoUser[] = [];
  for (const u of users) {
    const d: DemoUser = { username: u.username, password: u.demoPassword!, role: u.role, displayName: u.displayName };
    if (u.fhirUser) d.fhirUser = u.fhirUser;
    if (u.role === 'carer') d.proxyFor = (await store.listProxyRelationships(u.id, now)).map((r) => `Patient/${r.patientId}`);
    out.push(d);
  }
  return out;
}

/** A plain-text table of demo users for the terminal. */
export function formatDemoUsers(users: readonly DemoUser[]): string {
  if (users.length === 0) return 'No demo users (the demo data is not loaded).\n';
  const rows = users.map((u) => [u.username, u.password, u.role, u.displayName, [u.fhirUser, u.proxyFor?.length ? `proxy for ${u.proxyFor.join(', ')}` : ''].filter(Boolean).join('; ')]);
  const head = ['username', 'password', 'role', 'name', 'record'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
