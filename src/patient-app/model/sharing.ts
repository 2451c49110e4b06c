/**
 * "My sharing choices" as FHIR Consent resources, and what changing them means: the National
 * Data Opt-out (scope research, provision deny), withholding a sensitive category from sharing
 * (a permit with a nested deny on a v3 sensitivity label), and withholding everything from one
 * source system (a nested deny with Tessera's consent-source extension). A change creates the
 * Consents newly chosen and makes inactive the ones no longer wanted. Pure.
 *
 * @see https://hl7.org/fhir/R4/consent.html
 * @see https://digital.nhs.uk/services/national-data-opt-out/understanding-the-national-data-opt-out
 */
import type { Resource } from '../../fhir/types.js';
import { codings, list, obj } from './fhir-values.js';

import { ACT_CODE, CONSENT_SOURCE_EXTENSION, SHARING_CHOICE } from '../../access/codes.js';

/** The codes the access layer enforces (`access/access-entries.ts` `consentChoices`). */
export const SHARING_CHOICE_SYSTEM = SHARING_CHOICE;
export { CONSENT_SOURCE_EXTENSION };
const CONSENT_SCOPE = 'http://terminology.hl7.org/CodeSystem/consentscope';

/** Sensitive categories that can be withheld, with plain explanations. */
export const CATEGORIES: readonly { code: string; text: string; hint: string }[] = [
  { code: 'SEX', text: 'Sexual health', hint: 'For example, sexual health clinic visits and contraception.' },
  { code: 'PSY', text: 'Mental health', hint: 'For example, depression, anxiety and talking therapies.' },
  { code: 'HIV', text: 'HIV', hint: 'HIV tests, diagnosis and treatment.' },
  { code: 'ETH', text: 'Alcohol and drug use', hint: 'Treatment for alcohol or substance use.' },
  { code: 'SDV', text: 'Sexual assault and domestic violence', hint: 'Care after abuse or violence.' },
];

/** The choices currently in force. */
export interface SharingChoices {
  optedOut: boolean;
  categories: string[];
  sources: string[];
}

/** One Consent kind: which choice and what it is about. */
interface ConsentKind {
  choice: 'national-data-opt-out' | 'withhold-category' | 'withhold-source';
  value?: string;
}

function kindOf(c: Resource): ConsentKind | undefined {
  const choice = list(c.category).flatMap((x) => codings(x)).find((x) => x.system === SHARING_CHOICE_SYSTEM)?.code;
  const nested = list<Record<string, unknown>>(obj<{ provision?: unknown[] }>(c.provision)?.provision)[0];
  switch (choice) {
    case 'national-data-opt-out':
      return { choice };
    case 'withhold-category': {
      const label = list<{ code?: string }>(nested?.securityLabel)[0]?.code;
      return label ? { choice, value: label } : undefined;
    }
    case 'withhold-source': {
      const uri = list<{ url?: string; valueUri?: string }>(nested?.extension).find((e) => e.url === CONSENT_SOURCE_EXTENSION)?.valueUri;
      return uri ? { choice, value: uri } : undefined;
    }
    default:
      return undefined;
  }
}

/** The choices in force from a patient's Consents (active ones only). */
export function currentChoices(consents: readonly Resource[]): SharingChoices {
  const out: SharingChoices = { optedOut: false, categories: [], sources: [] };
  for (const c of consents) {
    if (c.status !== 'active') continue;
    const k = kindOf(c);
    if (k?.choice === 'national-data-opt-out') out.optedOut = true;
    else if (k?.choice === 'withhold-category' && !out.categories.includes(k.value!)) out.categories.push(k.value!);
    else if (k?.choice === 'withhold-source' && !out.sources.includes(k.value!)) out.sources.push(k.value!);
  }
  return out;
}

function consent(patientId: string, choice: ConsentKind['choice'], now: Date, provision: Record<string, unknown>, display: string): Resource {
  const isResearch = choice === 'national-data-opt-out';
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: CONSENT_SCOPE, code: isResearch ? 'research' : 'patient-privacy' }] },
    category: [{ coding: [{ system: SHARING_CHOICE_SYSTEM, code: choice, display }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: now.toISOString(),
    performer: [{ reference: `Patient/${patientId}` }],
    policyRule: { coding: [{ system: ACT_CODE, code: isResearch ? 'OPTOUT' : 'OPTIN' }] },
    provision,
  };
}

/** What to do to get from the current Consents to the wanted choices. */
export interface SharingChanges {
  create: Resource[];
  /** Consents to make inactive (already with status inactive). */
  inactivate: Resource[];
}

/** Plans the changes. */
export function planSharingChanges(patientId: string, consents: readonly Resource[], wanted: SharingChoices, now: Date): SharingChanges {
  const create: Resource[] = [];
  const inactivate: Resource[] = [];
  const active = consents.filter((c) => c.status === 'active').map((c) => ({ c, k: kindOf(c) })).filter((x) => x.k);
  const has = (choice: string, value?: string) => active.some((x) => x.k!.choice === choice && x.k!.value === value);
  const wantedKeys = new Set([
    ...(wanted.optedOut ? ['national-data-opt-out|'] : []),
    ...wanted.categories.map((c) => `withhold-category|${c}`),
    ...wanted.sources.map((s) => `withhold-source|${s}`),
  ]);
  for (const x of active) {
    if (!wantedKeys.has(`${x.k!.choice}|${x.k!.value ?? ''}`)) inactivate.push({ ...x.c, status: 'inactive' });
  }
  if (wanted.optedOut && !has('national-data-opt-out')) create.push(consent(patientId, 'national-data-opt-out', now, { type: 'deny' }, 'National Data Opt-out'));
  for (const code of wanted.categories) {
    if (has('withhold-category', code)) continue;
    create.push(consent(patientId, 'withhold-category', now, { type: 'permit', provision: [{ type: 'deny', securityLabel: [{ system: ACT_CODE, code }] }] }, 'Withhold a category from sharing'));
  }
  for (const uri of wanted.sources) {
    if (has('withhold-source', uri)) continue;
    create.push(consent(patientId, 'withhold-source', now, { type: 'permit', provision: [{ type: 'deny', extension: [{ url: CONSENT_SOURCE_EXTENSION, valueUri: uri }] }] }, 'Withhold a source from sharing'));
  }
  return { create, inactivate };
}

/** Reads the sharing form (`ndoo`, repeated `category`, repeated `source`), keeping only known values. */
export function choicesFromForm(form: readonly [string, string][], knownSources: readonly string[]): SharingChoices | { error: string } {
  const ndoo = form.find(([k]) => k === 'ndoo')?.[1];
  if (ndoo !== 'share' && ndoo !== 'opt-out') return { error: 'Select whether your data can be used for research and planning' };
  const categories = [...new Set(form.filter(([k, v]) => k === 'category' && CATEGORIES.some((c) => c.code === v)).map(([, v]) => v))];
  const sources = [...new Set(form.filter(([k, v]) => k === 'source' && knownSources.includes(v)).map(([, v]) => v))];
  return { optedOut: ndoo === 'opt-out', categories, sources };
}

