/**
 * The codes that qualify a record entry as a calculator input. Kept apart from the gathering
 * logic so a terminology reviewer can read and sign off one list.
 *
 * Sources: LOINC (https://loinc.org) for vital signs and laboratory results, as FHIR's vital
 * signs profile uses them (https://hl7.org/fhir/R4/observation-vitalsigns.html); the SNOMED CT UK
 * NEWS2 concepts used by the NHS NEWS2 and CareConnect observation guidance; SNOMED CT disorder
 * concepts for CHA₂DS₂-VASc. There is no terminology server here, so descendants are not
 * followed: a record coded with a concept not listed (or only in ICD-10) is not found, and the
 * response says so rather than guess. The lists need clinical terminology review before use in
 * care (e.g. against the NHS QOF clusters for heart failure, hypertension, diabetes and stroke).
 */

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';

/** A code in a system. */
export interface Code {
  readonly system: string;
  readonly code: string;
}

const loinc = (...codes: string[]): Code[] => codes.map((code) => ({ system: LOINC, code }));
const snomed = (...codes: string[]): Code[] => codes.map((code) => ({ system: SNOMED, code }));

/** Observation codes per NEWS2 input. */
export const NEWS2_CODES = {
  /** LOINC 9279-1 Respiratory rate; SNOMED 86290005 Respiratory rate. */
  respiratoryRate: [...loinc('9279-1'), ...snomed('86290005')],
  /** LOINC 59408-5 SpO₂ by pulse oximetry, 2708-6 oxygen saturation in arterial blood (FHIR's vital sign code); SNOMED 103228002. */
  spo2: [...loinc('59408-5', '2708-6'), ...snomed('103228002')],
  /**
   * LOINC 8480-6 Systolic blood pressure, alone or as a component of a BP panel (85354-9, or
   * 55284-4 as Synthea writes it); SNOMED 72313002 Systolic arterial pressure, 271649006 Systolic blood pressure.
   */
  systolicBP: [...loinc('8480-6'), ...snomed('72313002', '271649006')],
  /** LOINC 8867-4 Heart rate; SNOMED 364075005 Heart rate, 78564009 Pulse rate. */
  heartRate: [...loinc('8867-4'), ...snomed('364075005', '78564009')],
  /**
   * LOINC 8310-5 Body temperature, 8331-1 Oral, 8328-7 Axillary, 8332-9 Rectal, 8333-7 Tympanic
   * membrane temperature (Synthea writes 8331-1); SNOMED 276885007 Core body temperature,
   * 386725007 Body temperature.
   */
  temperature: [...loinc('8310-5', '8331-1', '8328-7', '8332-9', '8333-7'), ...snomed('276885007', '386725007')],
  /** LOINC 67775-7 Level of responsiveness; SNOMED 1104441000000107 ACVPU scale score. */
  consciousness: [...loinc('67775-7'), ...snomed('1104441000000107')],
  /**
   * LOINC 3151-8 Inhaled oxygen flow rate and 3150-0 Inhaled oxygen concentration (alone, or as
   * components of a pulse oximetry Observation as US Core and UK Core model them); SNOMED
   * 371825009 Patient on oxygen.
   */
  onOxygen: [...loinc('3151-8', '3150-0'), ...snomed('371825009')],
} as const satisfies Record<string, readonly Code[]>;

/** ACVPU answers: LOINC answer list for 67775-7 and the SNOMED CT findings. */
export const ACVPU_ANSWERS: ReadonlyMap<string, 'A' | 'C' | 'V' | 'P' | 'U'> = new Map([
  [`${LOINC}|LA9340-6`, 'A'], // Alert
  // "Confused" is scored as new confusion: NEWS2 asks about new confusion and the record cannot
  // say whether it is new; scoring it (3 points) errs towards escalation, not away from it.
  [`${LOINC}|LA6560-2`, 'C'],
  [`${LOINC}|LA17108-4`, 'V'], // Verbal
  [`${LOINC}|LA17107-6`, 'P'], // Painful
  [`${LOINC}|LA9343-0`, 'U'], // Unresponsive
  [`${SNOMED}|248234008`, 'A'], // Mentally alert
  [`${SNOMED}|130987000`, 'C'], // Acute confusion
  [`${SNOMED}|300202002`, 'V'], // Responds to voice
  [`${SNOMED}|450847001`, 'P'], // Responds to pain
  [`${SNOMED}|422768004`, 'U'], // Unresponsive
]);

/** Coded answers to "on oxygen?": SNOMED 373066001 Yes / 373067005 No, 722742002 Breathing room air, 371825009 Patient on oxygen. */
export const OXYGEN_ANSWERS: ReadonlyMap<string, boolean> = new Map([
  [`${SNOMED}|373066001`, true],
  [`${SNOMED}|373067005`, false],
  [`${SNOMED}|722742002`, false],
  [`${SNOMED}|371825009`, true],
]);

/**
 * Serum or plasma creatinine: LOINC 2160-0 (mass/volume, mg/dL), 14682-9 (moles/volume, µmol/L)
 * and 59826-8 (moles/volume in blood); 38483-4 (mass/volume in blood), which is what Synthea and
 * point-of-care analysers report. The unit is read from the value, never assumed from the code.
 */
export const CREATININE_CODES: readonly Code[] = loinc('2160-0', '14682-9', '59826-8', '38483-4');

/** LOINC 29463-7 Body weight, 3141-9 Body weight measured; SNOMED 27113001 Body weight. */
export const WEIGHT_CODES: readonly Code[] = [...loinc('29463-7', '3141-9'), ...snomed('27113001')];

/** LOINC 8302-2 Body height; SNOMED 50373000 Body height measure. */
export const HEIGHT_CODES: readonly Code[] = [...loinc('8302-2'), ...snomed('50373000')];

/**
 * How a CHA₂DS₂-VASc item is found in Conditions (SNOMED CT). `history` items score a past event
 * (Lip 2010: "prior stroke, TIA or thromboembolism", "prior myocardial infarction"), so a
 * Condition counts whatever its clinicalStatus; the others count only while active (active,
 * recurrence or relapse).
 */
export interface ConditionItem {
  readonly codes: readonly string[];
  readonly history: boolean;
  readonly label: string;
}

/** SNOMED CT concepts per CHA₂DS₂-VASc item. */
export const CHA2DS2_VASC_CONDITIONS = {
  congestiveHeartFailure: {
    label: 'heart failure or left ventricular dysfunction',
    history: false,
    // Heart failure; congestive HF; chronic congestive HF (Synthea); HFrEF; HF with normal EF;
    // systolic HF; diastolic HF; left heart failure; LV systolic dysfunction; asymptomatic LVSD.
    codes: ['84114007', '42343007', '88805009', '703272007', '446221000', '417996009', '418304008', '85232009', '134401001', '698592004'],
  },
  hypertension: {
    label: 'hypertension',
    history: false,
    // Hypertensive disorder (Synthea); essential hypertension.
    codes: ['38341003', '59621000'],
  },
  diabetes: {
    label: 'diabetes mellitus',
    history: false,
    // Diabetes mellitus; type 2 (Synthea); type 1; and complications that imply diabetes, as Synthea
    // records them: neuropathy due to type 2 DM, disorder of kidney due to DM, retinopathy
    // associated with type 2 DM, nonproliferative retinopathy due to type 2 DM.
    codes: ['73211009', '44054006', '46635009', '368581000119106', '127013003', '422034002', '1551000119108'],
  },
  strokeTiaThromboembolism: {
    label: 'stroke, TIA or thromboembolism',
    history: true,
    // Cerebrovascular accident (Synthea); transient ischaemic attack; ischaemic stroke; cerebral
    // infarction; history of TIA. Systemic embolism has no concept here yet: supply the item.
    codes: ['230690007', '266257000', '422504002', '432504007', '161511000'],
  },
  vascularDisease: {
    label: 'vascular disease (prior MI, peripheral arterial disease, aortic plaque)',
    history: true,
    // Myocardial infarction (Synthea); history of MI (Synthea); acute STEMI; acute NSTEMI; old MI;
    // peripheral arterial occlusive disease; peripheral arterial disease. Aortic plaque has no
    // concept here yet, and coronary heart disease without MI is not counted (Lip 2010): supply it.
    codes: ['22298006', '399211009', '401303003', '401314000', '1755008', '399957001', '840580004'],
  },
} as const satisfies Record<string, ConditionItem>;

/** CHA₂DS₂-VASc items found in Conditions. */
export type ConditionItemName = keyof typeof CHA2DS2_VASC_CONDITIONS;
