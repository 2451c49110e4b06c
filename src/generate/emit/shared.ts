/**
 * The shared directory bundle: every practice, trust and laboratory as an Organization and
 * every clinician as a Practitioner, each keyed on its national identifier (ODS code, SDS user
 * ID). Source bundles refer to them by those identifiers, so this bundle is loaded first. It
 * does not depend on the population's seed.
 *
 * @see https://hl7.org/fhir/R4/organization.html
 * @see https://hl7.org/fhir/R4/practitioner.html
 */
import type { Bundle } from '../../fhir/types.js';
import { isoDateTime } from '../dates.js';
import { Random } from '../random.js';
import { LABORATORIES, PRACTICES, TRUSTS } from '../reference-data/organisations.js';
import { STAFF } from '../reference-data/staff.js';
import { DIRECTORY_SOURCE } from '../sources.js';
import { BundleWriter, transactionBundle, type RequestStyle } from './bundle-writer.js';
import { GMC_SYSTEM, localRef, ODS_ORGANIZATION_SYSTEM, ODS_SITE_SYSTEM, SDS_USER_SYSTEM } from './references.js';

const ORG_TYPE = 'http://terminology.hl7.org/CodeSystem/organization-type';

const address = (line: string, town: string, postalCode: string) => [{ use: 'work', line: [line], city: town.toUpperCase(), postalCode, country: 'GB' }];

/** The directory bundle, timestamped `now`, its entries written in `style`. */
export function sharedBundle(now: Date, style: RequestStyle = 'conditional'): Bundle {
  const writer = new BundleWriter(DIRECTORY_SOURCE, new Random(0xd1_2ec7), style, 'directory');
  const trustUrls = new Map<string, string>();
  for (const t of TRUSTS) {
    trustUrls.set(t.odsCode, writer.add('Organization', { system: ODS_ORGANIZATION_SYSTEM, value: t.odsCode }, {
      active: true,
      type: [{ coding: [{ system: ORG_TYPE, code: 'prov', display: 'Healthcare Provider' }], text: 'NHS trust' }],
      name: t.name,
      address: address(t.addressLine, t.town, t.postcode),
    }));
  }
  for (const p of PRACTICES) {
    writer.add('Organization', { system: ODS_ORGANIZATION_SYSTEM, value: p.odsCode }, {
      active: true,
      type: [{ coding: [{ system: ORG_TYPE, code: 'prov', display: 'Healthcare Provider' }], text: 'GP practice' }],
      name: p.name,
      address: address(p.addressLine, p.town, p.postcode),
    });
  }
  for (const l of LABORATORIES) {
    const trust = TRUSTS.find((t) => t.odsCode === l.trust)!;
    writer.add('Organization', { system: ODS_SITE_SYSTEM, value: l.siteCode }, {
      active: true,
      type: [{ coding: [{ system: ORG_TYPE, code: 'prov', display: 'Healthcare Provider' }], text: 'Pathology laboratory' }],
      name: l.name,
      address: address(trust.addressLine, trust.town, trust.postcode),
      partOf: localRef(trustUrls.get(l.trust)!, trust.name),
    });
  }
  for (const s of STAFF) {
    writer.add('Practitioner', { system: SDS_USER_SYSTEM, value: s.sdsUserId }, {
      active: true,
      name: [{ use: 'official', family: s.family, given: [s.given], prefix: [s.prefix] }],
      gender: s.gender,
    }, s.gmcNumber !== undefined ? [{ system: GMC_SYSTEM, value: s.gmcNumber }] : []);
  }
  return transactionBundle(writer.entries, isoDateTime(now), DIRECTORY_SOURCE);
}
