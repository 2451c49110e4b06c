/**
 * The fictional organisations of the synthetic population: GP practices, NHS trusts and
 * pathology laboratories in West Yorkshire. Names are invented. Codes have the shape of ODS
 * codes (practices a letter and five digits, trusts `R` and two characters, sites five
 * characters) but were not checked against the ODS register: treat them as test data only.
 */

/** A GP practice and the services its patients use. */
export interface Practice {
  readonly odsCode: string;
  readonly name: string;
  readonly town: string;
  readonly addressLine: string;
  readonly postcode: string;
  /** The kind of clinical system, for the source system's description. */
  readonly vendor: 'EMIS-like' | 'SystmOne-like';
  /** ODS code of the trust most of its patients use. */
  readonly trust: string;
  /** Code of the laboratory that does its blood tests. */
  readonly laboratory: string;
}

/** An NHS trust with one main hospital. */
export interface Trust {
  readonly odsCode: string;
  readonly name: string;
  readonly hospital: string;
  readonly town: string;
  readonly addressLine: string;
  readonly postcode: string;
  /** The kind of patient administration system / electronic patient record. */
  readonly system: string;
}

/** A pathology laboratory, hosted by a trust. */
export interface Laboratory {
  /** ODS site code. */
  readonly siteCode: string;
  readonly name: string;
  readonly trust: string;
  readonly system: string;
}

/** GP practices. */
export const PRACTICES: readonly Practice[] = [
  { odsCode: 'A99001', name: 'Riverside Medical Practice', town: 'leeds', addressLine: '14 Kirkstall Road', postcode: 'LS4 2AB', vendor: 'EMIS-like', trust: 'R9A', laboratory: 'R9A01' },
  { odsCode: 'A99002', name: 'Meanwood Park Medical Centre', town: 'leeds', addressLine: '2 Green Road', postcode: 'LS6 4LB', vendor: 'SystmOne-like', trust: 'R9A', laboratory: 'R9A01' },
  { odsCode: 'A99003', name: 'Moorview Health Centre', town: 'bradford', addressLine: '80 Toller Lane', postcode: 'BD9 5AE', vendor: 'SystmOne-like', trust: 'R9C', laboratory: 'R9B02' },
  { odsCode: 'A99004', name: 'Airedale Street Practice', town: 'bradford', addressLine: '5 Leeds Road', postcode: 'BD3 9LH', vendor: 'EMIS-like', trust: 'R9C', laboratory: 'R9B02' },
  { odsCode: 'A99005', name: 'Kirkgate Surgery', town: 'wakefield', addressLine: '31 Kirkgate', postcode: 'WF1 1HX', vendor: 'EMIS-like', trust: 'R9C', laboratory: 'R9A01' },
  { odsCode: 'A99006', name: 'Calder Valley Family Practice', town: 'halifax', addressLine: '9 Horton Street', postcode: 'HX1 1QE', vendor: 'SystmOne-like', trust: 'R9B', laboratory: 'R9B02' },
  { odsCode: 'A99007', name: 'Holme Lane Surgery', town: 'huddersfield', addressLine: '120 Trinity Street', postcode: 'HD1 4DT', vendor: 'EMIS-like', trust: 'R9B', laboratory: 'R9B02' },
  { odsCode: 'A99008', name: 'Ossett Road Surgery', town: 'wakefield', addressLine: '47 Dewsbury Road', postcode: 'WF2 9BS', vendor: 'SystmOne-like', trust: 'R9C', laboratory: 'R9A01' },
];

/** NHS trusts. */
export const TRUSTS: readonly Trust[] = [
  { odsCode: 'R9A', name: 'Northfield Teaching Hospitals NHS Trust', hospital: 'Northfield General Hospital', town: 'leeds', addressLine: 'Great George Street', postcode: 'LS1 3EX', system: 'PAS/EPR' },
  { odsCode: 'R9B', name: 'Pennine Valleys Hospitals NHS Foundation Trust', hospital: 'Calderdale Royal Infirmary', town: 'halifax', addressLine: 'Salterhebble Hill', postcode: 'HX3 0PW', system: 'PAS/EPR' },
  { odsCode: 'R9C', name: 'Aire and Calder Hospitals NHS Trust', hospital: 'Aire and Calder District Hospital', town: 'bradford', addressLine: 'Duckworth Lane', postcode: 'BD9 6RJ', system: 'PAS/EPR' },
];

/** Pathology laboratories: each uses its own reference ranges (see `labs/reference-ranges.ts`). */
export const LABORATORIES: readonly Laboratory[] = [
  { siteCode: 'R9A01', name: 'Northfield Pathology', trust: 'R9A', system: 'laboratory information system' },
  { siteCode: 'R9B02', name: 'Pennine Pathology Network', trust: 'R9B', system: 'laboratory information system' },
];

/** Specialties of hospital consultants, by the clinic they run. */
export const SPECIALTIES = ['General medicine', 'Diabetes and endocrinology', 'Renal medicine', 'Cardiology', 'Respiratory medicine', 'Trauma and orthopaedics', 'Stroke medicine'] as const;
/** A hospital specialty. */
export type Specialty = (typeof SPECIALTIES)[number];

/** Finds a trust by ODS code. */
export function trustByCode(code: string): Trust {
  const t = TRUSTS.find((x) => x.odsCode === code);
  if (t === undefined) throw new Error(`No trust ${code}`);
  return t;
}

/** Finds a laboratory by site code. */
export function laboratoryByCode(code: string): Laboratory {
  const l = LABORATORIES.find((x) => x.siteCode === code);
  if (l === undefined) throw new Error(`No laboratory ${code}`);
  return l;
}
