/**
 * Which tests matter for a long-term condition, so its page can show them: a small table from
 * SNOMED CT condition codes to the analytes clinicians follow for it (HbA1c for diabetes, eGFR
 * for kidney disease, blood pressure for hypertension …). Pure data.
 */

const SCT = 'http://snomed.info/sct';

/** Condition `system|code` → analyte keys (see analytes.ts). */
export const CONDITION_ANALYTES: Readonly<Record<string, readonly string[]>> = {
  [`${SCT}|44054006`]: ['hba1c', 'glucose', 'egfr', 'cholesterol'], // type 2 diabetes
  [`${SCT}|46635009`]: ['hba1c', 'glucose'], // type 1 diabetes
  [`${SCT}|15777000`]: ['hba1c', 'glucose'], // prediabetes
  [`${SCT}|714628002`]: ['hba1c', 'glucose'], // prediabetes (newer concept)
  [`${SCT}|38341003`]: ['systolic', 'diastolic', 'egfr', 'potassium'], // hypertension
  [`${SCT}|59621000`]: ['systolic', 'diastolic'], // essential hypertension
  [`${SCT}|433144002`]: ['egfr', 'creatinine', 'potassium', 'systolic'], // CKD stage 3
  [`${SCT}|431857002`]: ['egfr', 'creatinine', 'potassium', 'systolic'], // CKD stage 4
  [`${SCT}|709044004`]: ['egfr', 'creatinine', 'potassium'], // CKD
  [`${SCT}|49436004`]: ['heart-rate'], // atrial fibrillation
  [`${SCT}|55822004`]: ['cholesterol', 'hdl', 'ldl', 'triglycerides'], // hyperlipidaemia
  [`${SCT}|162864005`]: ['bmi', 'weight'], // obesity (BMI 30+)
  [`${SCT}|408512008`]: ['bmi', 'weight'], // obesity (BMI 40+)
};

/** The analytes to show for a condition concept key. */
export function analytesForCondition(key: string | undefined): readonly string[] {
  return key ? (CONDITION_ANALYTES[key] ?? []) : [];
}
