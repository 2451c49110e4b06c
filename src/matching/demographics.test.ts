import { describe, expect, it } from 'vitest';
import { CARECONNECT_NHS_NUMBER_VERIFICATION_EXTENSION, demographicsOf } from './demographics.js';
import { ANN, patient } from './testing.js';

describe('demographicsOf', () => {
  it('reads the NHS number, names, birth date, sex and postcodes', () => {
    expect(demographicsOf(patient(ANN))).toEqual({
      nhsNumbers: [{ value: '9434765919', verified: true }],
      invalidNhsNumbers: 0,
      names: [{ family: 'smith', familyTokens: ['smith'], given: ['ann', 'jane'] }],
      birthDate: { year: 1980, month: 3, day: 12 },
      gender: 'female',
      postcodes: [{ full: 'LS6 2AB', outward: 'LS6', inward: '2AB' }],
    });
  });

  it.each([['01', true], ['02', false], ['03', false], [undefined, false]])('verification status %s → verified %s', (status, verified) => {
    expect(demographicsOf(patient({ ...ANN, ...(status !== undefined ? { status } : { status: undefined }) })).nhsNumbers).toEqual([{ value: '9434765919', verified }]);
  });

  it('accepts the CareConnect extension and the status on the Patient itself', () => {
    const status = (url: string) => [{ url, valueCodeableConcept: { coding: [{ code: '01' }] } }];
    const onIdentifier = patient({ ...ANN, status: undefined });
    (onIdentifier['identifier'] as Record<string, unknown>[])[0]!['extension'] = status(CARECONNECT_NHS_NUMBER_VERIFICATION_EXTENSION);
    expect(demographicsOf(onIdentifier).nhsNumbers[0]!.verified).toBe(true);
    const onPatient = { ...patient({ ...ANN, status: undefined }), extension: status('https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus') };
    expect(demographicsOf(onPatient).nhsNumbers[0]!.verified).toBe(true);
  });

  it('ignores NHS numbers that fail Modulus 11, and normalises spaced ones', () => {
    expect(demographicsOf(patient({ ...ANN, nhs: '9434765918' }))).toMatchObject({ nhsNumbers: [], invalidNhsNumbers: 1 });
    expect(demographicsOf(patient({ ...ANN, nhs: '943 476 5919' })).nhsNumbers).toEqual([{ value: '9434765919', verified: true }]);
  });

  it('keeps every name and address (old ones too, pseudo-postcodes not), and reads a text-only name', () => {
    const r = {
      resourceType: 'Patient',
      name: [{ use: 'official', family: 'Smith', given: ['Ann'] }, { use: 'maiden', family: 'Jones' }, { text: 'Ann Mary Brown' }, { use: 'anonymous', family: 'X' }],
      address: [{ postalCode: 'LS6 2AB' }, { use: 'old', postalCode: 'bd1 1aa', period: { end: '2020-01-01' } }, { postalCode: 'not a postcode' }, { postalCode: 'ZZ99 3VZ' }],
      gender: 'unknown',
      birthDate: '1980-03',
    };
    const d = demographicsOf(r);
    expect(d.names.map((n) => n.family)).toEqual(['smith', 'jones', 'brown']);
    expect(d.names[2]!.given).toEqual(['ann', 'mary']);
    expect(d.postcodes.map((p) => p.full)).toEqual(['LS6 2AB', 'BD1 1AA']);
    expect(d.gender).toBeUndefined();
    expect(d.birthDate).toEqual({ year: 1980, month: 3 });
  });

  it('copes with an empty or malformed Patient', () => {
    expect(demographicsOf({ resourceType: 'Patient', name: 'x', identifier: [null], birthDate: 12, address: {} })).toEqual({
      nhsNumbers: [], invalidNhsNumbers: 0, names: [], postcodes: [],
    });
  });
});
