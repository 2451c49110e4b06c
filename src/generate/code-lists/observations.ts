/**
 * LOINC codes for laboratory tests, panels and vital signs in generated records, with their
 * UCUM units. Displays are LOINC long common names. LOINC is © Regenstrief Institute and used
 * under the LOINC licence (see README).
 */
import { LOINC, type CodeListEntry } from './code-list.js';

/** A measurement the generator records. */
export type ObservationKey =
  | 'hba1c' | 'egfr' | 'creatinine' | 'sodium' | 'potassium' | 'totalCholesterol' | 'hdlCholesterol' | 'triglycerides'
  | 'bloodPressure' | 'systolic' | 'diastolic' | 'heartRate' | 'respiratoryRate' | 'oxygenSaturation' | 'bodyTemperature'
  | 'bodyHeight' | 'bodyWeight' | 'bmi';

/** A LOINC code with the unit its values are reported in. */
export interface ObservationEntry extends CodeListEntry {
  /** UCUM code of the unit (`Quantity.code`); empty for a panel with no value of its own. */
  readonly ucum: string;
  /** The unit as people read it (`Quantity.unit`). */
  readonly unit: string;
  /** Decimal places the value is reported to. */
  readonly decimals: number;
}

const loinc = (code: string, display: string, ucum: string, unit: string, decimals: number, description: string): ObservationEntry =>
  ({ system: LOINC, code, display, ucum, unit, decimals, description });

/** The measurements, by key. */
export const OBSERVATIONS: Readonly<Record<ObservationKey, ObservationEntry>> = {
  hba1c: loinc('59261-8', 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol', 'mmol/mol', 'mmol/mol', 0,
    'HbA1c: your average blood sugar level over the last 2 to 3 months. It is used to diagnose and monitor diabetes.'),
  egfr: loinc('62238-1', 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI)', 'mL/min/{1.73_m2}', 'mL/min/1.73m2', 0,
    'eGFR: an estimate of how well your kidneys filter your blood, worked out from your creatinine level, age and sex. Above 60 is usually normal.'),
  creatinine: loinc('14682-9', 'Creatinine [Moles/volume] in Serum or Plasma', 'umol/L', 'umol/L', 0,
    'Creatinine: a waste product from your muscles that your kidneys remove. A high level can mean your kidneys are not working as well as they should.'),
  sodium: loinc('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 0,
    'Sodium: a salt in your blood that helps control the balance of water in your body.'),
  potassium: loinc('2823-3', 'Potassium [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 1,
    'Potassium: a salt in your blood that your heart and muscles need. Some blood pressure medicines and kidney problems can change it.'),
  totalCholesterol: loinc('14647-2', 'Cholesterol [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 1,
    'Total cholesterol: the amount of cholesterol, a fatty substance, in your blood. High levels raise the risk of heart disease and stroke.'),
  hdlCholesterol: loinc('14646-4', 'Cholesterol in HDL [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 1,
    'HDL cholesterol: the "good" cholesterol that carries cholesterol away from your arteries. Higher is better.'),
  triglycerides: loinc('14927-8', 'Triglyceride [Moles/volume] in Serum or Plasma', 'mmol/L', 'mmol/L', 1,
    'Triglycerides: a type of fat in your blood. High levels raise the risk of heart disease.'),
  bloodPressure: loinc('85354-9', 'Blood pressure panel with all children optional', '', '', 0,
    'Blood pressure: the pressure of blood in your arteries, written as two numbers, for example 120/80 mmHg.'),
  systolic: loinc('8480-6', 'Systolic blood pressure', 'mm[Hg]', 'mmHg', 0,
    'Systolic blood pressure: the higher number, the pressure when your heart pushes blood out.'),
  diastolic: loinc('8462-4', 'Diastolic blood pressure', 'mm[Hg]', 'mmHg', 0,
    'Diastolic blood pressure: the lower number, the pressure when your heart rests between beats.'),
  heartRate: loinc('8867-4', 'Heart rate', '/min', 'beats/minute', 0,
    'Heart rate (pulse): how many times your heart beats in a minute.'),
  respiratoryRate: loinc('9279-1', 'Respiratory rate', '/min', 'breaths/minute', 0,
    'Breathing rate: how many breaths you take in a minute.'),
  oxygenSaturation: loinc('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', '%', '%', 0,
    'Oxygen level: how much oxygen your blood is carrying, measured with a clip on your finger. It is usually 95% or more.'),
  bodyTemperature: loinc('8310-5', 'Body temperature', 'Cel', '°C', 1,
    'Temperature: how hot your body is. A normal temperature is about 36 to 37°C.'),
  bodyHeight: loinc('8302-2', 'Body height', 'cm', 'cm', 0, 'Height: how tall you are.'),
  bodyWeight: loinc('29463-7', 'Body weight', 'kg', 'kg', 1, 'Weight: how heavy you are.'),
  bmi: loinc('39156-5', 'Body mass index (BMI) [Ratio]', 'kg/m2', 'kg/m2', 1,
    'BMI (body mass index): your weight compared with your height. It is a rough guide to whether you are a healthy weight.'),
};

/** A laboratory panel: the report's code and the tests it holds. */
export interface PanelEntry extends CodeListEntry {
  readonly members: readonly ObservationKey[];
  /** HL7 v2 table 0074 diagnostic service section. */
  readonly section: 'CH';
}

/** The laboratory panels the generator reports. */
export type PanelKey = 'hba1c' | 'renal' | 'lipids';

/** Laboratory panels (DiagnosticReport.code), by key. */
export const PANELS: Readonly<Record<PanelKey, PanelEntry>> = {
  hba1c: { ...OBSERVATIONS.hba1c, members: ['hba1c'], section: 'CH' },
  renal: {
    system: LOINC, code: '24362-6', display: 'Renal function 2000 panel - Serum or Plasma', section: 'CH',
    description: 'Kidney function tests (U&Es): blood tests of salts, waste products and an estimate of how well your kidneys are working.',
    members: ['sodium', 'potassium', 'creatinine', 'egfr'],
  },
  lipids: {
    system: LOINC, code: '24331-1', display: 'Lipid 1996 panel - Serum or Plasma', section: 'CH',
    description: 'Cholesterol test (lipid profile): a blood test of the fats in your blood, used to work out your risk of heart disease.',
    members: ['totalCholesterol', 'hdlCholesterol', 'triglycerides'],
  },
};
