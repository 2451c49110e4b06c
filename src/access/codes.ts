/**
 * The code systems and codes access decisions read. Tessera's own codes live under
 * `https://tessera.example/fhir/` (`.example` is reserved, RFC 2606) until a real namespace is
 * registered.
 */

/** HL7 v3 ActCode: sensitivity labels and the `NOPAT` handling caveat. https://terminology.hl7.org/CodeSystem-v3-ActCode.html */
export const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** SNOMED CT. */
export const SNOMED = 'http://snomed.info/sct';
/** HL7 v3 ActReason, for the purpose of use in audit (`TREAT`, `BTG` break-the-glass, …). */
export const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/** Tessera's online-visibility labels (`meta.security`): `redacted`, `third-party`, `hidden-from-proxy`. */
export const ONLINE_VISIBILITY = 'https://tessera.example/fhir/CodeSystem/online-visibility';
/** Tessera's sharing choices (`Consent.category`). */
export const SHARING_CHOICE = 'https://tessera.example/fhir/CodeSystem/sharing-choice';
/** Extension on a Consent deny provision naming the source system (its `meta.source` URI) withheld. */
export const CONSENT_SOURCE_EXTENSION = 'https://tessera.example/fhir/StructureDefinition/consent-source';

/**
 * Sensitivity codes a patient may withhold from sharing (v3-ActCode `_InformationSensitivityPolicy`
 * and its common children): substance use, gender identity, HIV/AIDS, military sexual trauma,
 * psychiatry, sickle cell, domestic violence, sexuality and reproductive health, sexually
 * transmitted disease, substance use disorder, and the catch-all.
 */
export const SENSITIVITY_CODES: ReadonlySet<string> = new Set(['ETH', 'GDIS', 'HIV', 'MST', 'PSY', 'SCA', 'SDV', 'SEX', 'STD', 'SUD', 'TBOO']);

/** "Enhanced review indicated before granting access to your own health record". nhs-domain §3.3 */
export const REVIEW_INDICATED = '1364731000000104';
/** "Enhanced review not indicated before granting access to your own health record". */
export const REVIEW_NOT_INDICATED = '1364751000000106';
/** "Dissent from secondary use of general practitioner patient identifiable data" (Type 1 opt-out). nhs-domain §4 */
export const TYPE_1_OPT_OUT_SNOMED = '827241000000103';
