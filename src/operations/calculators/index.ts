/**
 * Clinical calculators as FHIR operations (`$news2`, `$egfr`, `$bmi`, `$cha2ds2-vasc`) at system
 * level and on Patient, and what the plain-JSON API in `http/` needs from the calculator layer
 * (which `http/` may not import directly).
 */
export { calculatorList, getCalculator } from '../../calculators/index.js';
export type { Calculator, CalculatorMetadata, InputDefinition, OutputDefinition } from '../../calculators/index.js';
export {
  ageInYears, BODY_MEASUREMENT_MAX_AGE_HOURS, CREATININE_MAX_AGE_HOURS, type GatheredInputs, gatherInputs, type GatherOptions,
  type InputSource, NEWS2_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS_CEILING, type RecordReader,
} from './from-record.js';
export {
  calculatorOperations, type CalculatorOperationDeps, type CalculatorOperationHandler, type OperationRequest, type OperationResponse,
} from './handlers.js';
export {
  CALCULATOR_CANONICAL_BASE, calculatorOperationDefinition, calculatorOperationListing, type CalculatorOperationListing,
  operationDefinitionId, operationDefinitionUrl,
} from './operation-definitions.js';
export {
  inputToParameters, type Parameters, type ParametersParameter, parametersToInput, parametersToResult, queryToInput,
  resultToParameters,
} from './parameters.js';
export { resultObservation } from './result-observation.js';
