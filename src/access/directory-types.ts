/**
 * Resource types that hold no one's health data: the directory (organisations, practitioners,
 * locations, services), medicines and substances, and definitional and terminology resources.
 * Any signed-in caller may read them, within their scopes. Every other type is treated as
 * patient data: visible only through the record it belongs to, or to backend systems — an
 * allow-list, so a type added later fails closed.
 */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  'Organization', 'OrganizationAffiliation', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint',
  'Medication', 'MedicationKnowledge', 'Substance', 'SubstanceSpecification', 'DeviceDefinition',
  'MedicinalProduct', 'MedicinalProductAuthorization', 'MedicinalProductContraindication', 'MedicinalProductIndication',
  'MedicinalProductInteraction', 'MedicinalProductPackaged', 'MedicinalProductPharmaceutical', 'MedicinalProductUndesirableEffect',
  'CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem', 'TerminologyCapabilities',
  'StructureDefinition', 'StructureMap', 'SearchParameter', 'OperationDefinition', 'CapabilityStatement', 'CompartmentDefinition',
  'ImplementationGuide', 'GraphDefinition', 'MessageDefinition', 'EventDefinition', 'ObservationDefinition', 'SpecimenDefinition',
  'ActivityDefinition', 'PlanDefinition', 'Questionnaire', 'Library', 'Measure', 'ChargeItemDefinition',
  'ResearchDefinition', 'ResearchElementDefinition', 'Evidence', 'EvidenceVariable', 'EffectEvidenceSynthesis', 'RiskEvidenceSynthesis',
  'InsurancePlan', 'TestScript', 'ExampleScenario',
]);
