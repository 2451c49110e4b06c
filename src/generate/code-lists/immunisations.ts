/**
 * Vaccines in generated records. The vaccine is coded in dm+d (UK Core codes
 * `Immunization.vaccineCode` with dm+d products), the disease it protects against in SNOMED CT.
 * The dm+d codes are the ones used in the UK Core examples (see README).
 */
import { DMD, SNOMED, type CodeListEntry } from './code-list.js';

/** A vaccine the generator can give. */
export type VaccineKey = 'influenza' | 'covid19' | 'pneumococcal';

/** A dm+d vaccine product with the disease it targets. */
export interface VaccineEntry extends CodeListEntry {
  readonly targetDisease: CodeListEntry;
  /** Dose in mL. */
  readonly doseMl: number;
}

/** The vaccines, by key. */
export const VACCINES: Readonly<Record<VaccineKey, VaccineEntry>> = {
  influenza: {
    system: DMD, code: '11278411000001109',
    display: 'Influenza vaccine (split virion, inactivated) suspension for injection 0.5ml pre-filled syringes (Pfizer Ltd)',
    description: 'Flu vaccine: a yearly injection that lowers your chance of getting flu and of being seriously ill with it. It cannot give you flu.',
    targetDisease: { system: SNOMED, code: '6142004', display: 'Influenza', description: 'Flu: an infection caused by the influenza virus, with fever, aches and tiredness. It can be serious for older people and people with long-term conditions.' },
    doseMl: 0.5,
  },
  covid19: {
    system: DMD, code: '39115611000001103',
    display: 'Comirnaty COVID-19 mRNA Vaccine 30micrograms/0.3ml dose concentrate for dispersion for injection multidose vials (Pfizer Ltd)',
    description: 'COVID-19 vaccine: an injection that teaches your immune system to recognise the virus that causes COVID-19, lowering the risk of serious illness.',
    targetDisease: { system: SNOMED, code: '840539006', display: 'COVID-19', description: 'COVID-19: an illness caused by a coronavirus. Most people have mild symptoms, but it can be serious for some.' },
    doseMl: 0.3,
  },
  pneumococcal: {
    system: DMD, code: '10245211000001108',
    display: 'Pneumococcal polysaccharide conjugated vaccine (adsorbed) suspension for injection 0.5ml pre-filled syringes',
    description: 'Pneumococcal vaccine: an injection that protects against infections such as pneumonia and meningitis caused by pneumococcal bacteria.',
    targetDisease: { system: SNOMED, code: '16814004', display: 'Pneumococcal infectious disease', description: 'Pneumococcal infection: infections caused by pneumococcal bacteria, such as pneumonia, ear infections and meningitis.' },
    doseMl: 0.5,
  },
};

/** Intramuscular route, where vaccines are injected into a muscle. */
export const INTRAMUSCULAR: CodeListEntry = { system: SNOMED, code: '78421000', display: 'Intramuscular route', description: 'Into a muscle, usually of the upper arm.' };

/** Injection sites. */
export const INJECTION_SITES: readonly CodeListEntry[] = [
  { system: SNOMED, code: '368208006', display: 'Left upper arm structure', description: 'Your left upper arm.' },
  { system: SNOMED, code: '368209003', display: 'Right upper arm structure', description: 'Your right upper arm.' },
];
