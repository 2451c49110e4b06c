/**
 * Medicines in generated records, coded as dm+d Virtual Medicinal Products (VMPs), with the
 * dosage a GP would typically write. dm+d is published under the Open Government Licence; the
 * README of this folder gives the licence and where each code was checked.
 */
import { DMD, type CodeListEntry } from './code-list.js';

/** A medicine the generator can prescribe. */
export type MedicationKey =
  | 'metformin' | 'gliclazide' | 'atorvastatin' | 'amlodipine' | 'ramipril' | 'apixaban' | 'salbutamol' | 'amoxicillin' | 'doxycycline';

/** A dm+d VMP with the way it is usually prescribed. */
export interface MedicationEntry extends CodeListEntry {
  /** `Dosage.text` as a prescriber would write it. */
  readonly dosageText: string;
  /** Quantity supplied per issue, and its unit as dm+d names it. */
  readonly quantity: { readonly value: number; readonly unit: string };
  /** `continuous` for repeat medicines, `acute` for a one-off course. */
  readonly course: 'continuous' | 'acute';
}

const vmp = (code: string, display: string, dosageText: string, quantity: MedicationEntry['quantity'], course: MedicationEntry['course'], description: string): MedicationEntry =>
  ({ system: DMD, code, display, description, dosageText, quantity, course });

/** The medicines, by key. Codes are VMPIDs current in dm+d at the time of writing (see README). */
export const MEDICATIONS: Readonly<Record<MedicationKey, MedicationEntry>> = {
  metformin: vmp('42084911000001109', 'Metformin 500mg tablets', 'One tablet twice a day with meals', { value: 56, unit: 'tablet' }, 'continuous',
    'Metformin: a tablet for type 2 diabetes. It helps your body use insulin better and lowers the sugar in your blood. Take it with food to avoid an upset stomach.'),
  gliclazide: vmp('42082911000001100', 'Gliclazide 80mg tablets', 'One tablet twice a day with breakfast and evening meal', { value: 56, unit: 'tablet' }, 'continuous',
    'Gliclazide: a tablet for type 2 diabetes that helps your body release more insulin. It can make your blood sugar go too low, so do not skip meals.'),
  atorvastatin: vmp('39733011000001106', 'Atorvastatin 20mg tablets', 'One tablet once a day at night', { value: 28, unit: 'tablet' }, 'continuous',
    'Atorvastatin: a statin. It lowers cholesterol in your blood and reduces the risk of heart attack and stroke.'),
  amlodipine: vmp('39732011000001102', 'Amlodipine 5mg tablets', 'One tablet once a day', { value: 28, unit: 'tablet' }, 'continuous',
    'Amlodipine: a tablet that lowers blood pressure by relaxing and widening your blood vessels. Swollen ankles are a common side effect.'),
  ramipril: vmp('42381411000001102', 'Ramipril 2.5mg capsules', 'One capsule once a day', { value: 28, unit: 'capsule' }, 'continuous',
    'Ramipril: an ACE inhibitor. It lowers blood pressure and protects the heart and kidneys. You will have blood tests to check your kidneys while taking it.'),
  apixaban: vmp('42206511000001102', 'Apixaban 5mg tablets', 'One tablet twice a day', { value: 56, unit: 'tablet' }, 'continuous',
    'Apixaban: an anticoagulant ("blood thinner"). It lowers the risk of blood clots and stroke. Tell anyone treating you that you take it, as you may bleed more easily.'),
  salbutamol: vmp('39113611000001102', 'Salbutamol 100micrograms/dose inhaler CFC free', 'Two puffs when required for breathlessness or wheeze', { value: 1, unit: 'inhaler' }, 'continuous',
    'Salbutamol inhaler: a reliever inhaler, usually blue. It opens your airways within minutes when you are wheezy or breathless.'),
  amoxicillin: vmp('39732411000001106', 'Amoxicillin 500mg capsules', 'One capsule three times a day for 5 days', { value: 15, unit: 'capsule' }, 'acute',
    'Amoxicillin: a penicillin antibiotic for bacterial infections such as chest infections. Finish the course, and do not take it if you are allergic to penicillin.'),
  doxycycline: vmp('41948311000001104', 'Doxycycline 100mg capsules', 'Two capsules on the first day, then one capsule once a day for 4 days', { value: 6, unit: 'capsule' }, 'acute',
    'Doxycycline: an antibiotic, often used for chest infections in people who are allergic to penicillin. Swallow it with plenty of water, sitting or standing up.'),
};
