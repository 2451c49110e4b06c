/**
 * UK Core profile validation: checks a resource against the UK Core profiles it claims in
 * `meta.profile`, from the profile tables shipped beside this module (built from the UK Core
 * differentials by `scripts/build-uk-core-profiles.ts`). Pure: no I/O, nothing read at call time.
 * Run it after `validateResource` (`../validation`), which checks what R4 itself requires.
 *
 * @see https://hl7.org/fhir/R4/profiling.html
 * @see https://simplifier.net/hl7fhirukcorer4 (UK Core)
 */
export { validateProfiles } from './validate-profiles.js';
export { UK_CORE_PROFILE_URLS, UK_CORE_STRUCTURE_DEFINITION, NOT_EXPANDED } from './definitions.js';
