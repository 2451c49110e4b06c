/**
 * SNOMED CT concepts for the conditions and problems in generated records: long-term
 * conditions, short illnesses seen in general practice, and reasons for hospital care.
 * Every code is an international-release concept and every display its international
 * preferred term (the Global Patient Set term, so US spelling where it differs).
 */
import { SNOMED, type CodeListEntry } from './code-list.js';

/** A long-term condition the generator can give a person. */
export type LongTermConditionKey =
  | 'type2Diabetes' | 'hypertension' | 'asthma' | 'ckdStage3' | 'ckdStage4' | 'copd' | 'atrialFibrillation' | 'depression';

const sct = (code: string, display: string, description: string): CodeListEntry => ({ system: SNOMED, code, display, description });

/** Long-term conditions (problem-list entries). */
export const LONG_TERM_CONDITIONS: Readonly<Record<LongTermConditionKey, CodeListEntry>> = {
  type2Diabetes: sct('44054006', 'Diabetes mellitus type 2',
    'Type 2 diabetes: a long-term condition where the level of sugar in your blood is too high because your body does not make or use insulin well.'),
  hypertension: sct('38341003', 'Hypertensive disorder, systemic arterial',
    'High blood pressure: the pressure of blood in your arteries is often higher than it should be. It rarely causes symptoms but raises the risk of heart attack and stroke.'),
  asthma: sct('195967001', 'Asthma',
    'Asthma: a long-term condition that makes the airways in your lungs narrow and swell from time to time, causing wheezing, coughing and breathlessness.'),
  ckdStage3: sct('433144002', 'Chronic kidney disease stage 3',
    'Chronic kidney disease stage 3: your kidneys are working less well than they should, at a moderate level. Most people have no symptoms and are checked with regular blood tests.'),
  ckdStage4: sct('431857002', 'Chronic kidney disease stage 4',
    'Chronic kidney disease stage 4: your kidneys are working much less well than they should. You will usually be looked after with a kidney specialist.'),
  copd: sct('13645005', 'Chronic obstructive lung disease',
    'COPD (chronic obstructive pulmonary disease): long-term damage to the lungs, often from smoking, that makes it harder to breathe out and causes breathlessness and cough.'),
  atrialFibrillation: sct('49436004', 'Atrial fibrillation',
    'Atrial fibrillation: the heart beats irregularly and often fast. It raises the risk of stroke, so many people take a medicine to prevent blood clots.'),
  depression: sct('35489007', 'Depressive disorder',
    'Depression: a low mood that lasts for weeks or months and affects everyday life. Talking therapies, medicines or both can help.'),
};

/** Short illnesses that bring people to their GP. */
export const ACUTE_PROBLEMS: readonly CodeListEntry[] = [
  sct('49727002', 'Cough', 'Cough: a reflex that clears the throat and airways. Most coughs from colds get better on their own within three weeks.'),
  sct('279039007', 'Low back pain', 'Low back pain: pain in the lower back, often from a strain. It usually gets better within a few weeks with gentle activity.'),
  sct('25064002', 'Headache', 'Headache: pain in the head. Most headaches are not serious and go away with rest, fluids and simple painkillers.'),
  sct('162397003', 'Pain in throat', 'Sore throat: pain or scratchiness in the throat, usually from a virus. It normally gets better within a week.'),
  sct('404640003', 'Dizziness', 'Dizziness: feeling light-headed, unsteady or as if things are spinning. It often passes but can have many causes.'),
  sct('50417007', 'Lower respiratory tract infection', 'Chest infection: an infection of the airways or lungs that causes a cough, sometimes with fever and breathlessness.'),
  sct('68566005', 'Urinary tract infectious disease', 'Urinary tract infection (UTI): an infection of the bladder or kidneys that can make passing urine painful or frequent.'),
];

/** The acute problems for which the generated GP prescribes a short antibiotic course (chest infection). */
export const ANTIBIOTIC_PROBLEM_CODES: ReadonlySet<string> = new Set(['50417007']);

/** Reasons for a hospital admission. */
export const ADMISSION_REASONS: readonly CodeListEntry[] = [
  sct('233604007', 'Pneumonia', 'Pneumonia: an infection that inflames the air sacs in one or both lungs. It can be serious, especially for older people.'),
  sct('195951007', 'Acute exacerbation of chronic obstructive airways disease', 'COPD flare-up: a time when COPD symptoms such as breathlessness and cough suddenly get worse.'),
  sct('5913000', 'Fracture of neck of femur', 'Hip fracture: a break at the top of the thigh bone, near the hip joint, usually after a fall. It is normally repaired with an operation.'),
  sct('230690007', 'Cerebrovascular accident', 'Stroke: blood supply to part of the brain is cut off. It is an emergency; quick treatment reduces the damage.'),
  sct('22298006', 'Myocardial infarction', 'Heart attack: blood supply to part of the heart muscle is suddenly blocked. It is an emergency.'),
  sct('68566005', 'Urinary tract infectious disease', 'Urinary tract infection (UTI): an infection of the bladder or kidneys that can make passing urine painful or frequent.'),
];
