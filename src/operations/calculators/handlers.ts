/**
 * The calculators as FHIR operations, one per calculator:
 * - `POST [base]/$news2` with a Parameters body (or `GET [base]/$news2?respiratoryRate=…`):
 *   calculate from the inputs given; Parameters out.
 * - `GET|POST [base]/Patient/{id}/$news2`: calculate from the patient's record (inputs given in
 *   the request win), Parameters out with an `input` per input saying where it came from; with
 *   `store=true` (POST only) the result is saved as an Observation, which is the response (201).
 * The same for `$egfr`, `$bmi` and `$cha2ds2-vasc`. Errors are thrown as OperationOutcomeError
 * for the router's one catch.
 *
 * @see https://hl7.org/fhir/R4/operations.html
 */
import { type Calculator, calculatorList } from '../../calculators/index.js';
import { badRequest, forbidden, methodNotAllowed, notFound, OperationOutcomeError, outcomeOf, unsupportedMediaType } from '../../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../../fhir/types.js';
import type { FhirStore } from '../../store/fhir-store.js';
import type { Visibility } from '../../store/access-sql.js';
import { callerMay, type ResourceScope } from '../../auth/scopes.js';
import { type GatheredInputs, gatherInputs, type InputSource, NEWS2_MAX_AGE_HOURS_CEILING } from './from-record.js';
import {
  CALCULATOR_CANONICAL_BASE, type CalculatorOperationListing, calculatorOperationListing, controlParameters,
} from './operation-definitions.js';
import {
  type ControlParameter, inputValueType, type Parameters, type ParametersParameter, parametersToInput, type ParsedInput,
  queryToInput, resultToParameters, valueParameter,
} from './parameters.js';
import { resultObservation } from './result-observation.js';

/**
 * The request an operation handler receives. Structurally the router's `FhirRequest` (operations
 * may not import `http/`, so the shape is restated; the router's type is assignable to it).
 */
export interface OperationRequest {
  method: string;
  query: [string, string][];
  headers: Record<string, string | undefined>;
  /** Parsed JSON when the content type was JSON; text otherwise; absent without a body. */
  body?: unknown;
  /** Absolute FHIR base URL, for Location headers. */
  baseUrl: string;
}

/** The response an operation handler returns (the router's `FhirResponse`); `body` is JSON text. */
export interface OperationResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Who is asking (the router's caller): what of the record they may see, and their scopes.
 * Absent (internal use): everything, and any write.
 */
export interface CalculatorCaller {
  readonly visible: Visibility;
  readonly principal: { readonly kind: string; readonly scopes: readonly ResourceScope[] };
}

/** A FHIR operation handler: `target` is `{}` at system level, `{ type, id }` at instance level. */
export type CalculatorOperationHandler = (req: OperationRequest, target: { type?: string; id?: string }, caller?: CalculatorCaller) => Promise<OperationResponse>;

/** What the operations need. */
export interface CalculatorOperationDeps {
  /** Reads the record (one query per calculation) and, for `store=true`, creates the result Observation. */
  store: Pick<FhirStore, 'latestObservations' | 'create'>;
  /** The clock: record ages and the stored Observation's `issued` come from it. */
  now: () => Date;
  /** Base of the OperationDefinition canonical URLs; defaults to {@link CALCULATOR_CANONICAL_BASE}. */
  canonicalBase?: string;
  /** The calculators to expose; defaults to all of them. */
  calculators?: readonly Calculator[];
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

function fhirJson(status: number, body: unknown, headers: Record<string, string> = {}): OperationResponse {
  return { status, headers: { 'content-type': FHIR_JSON, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** The operation's inputs: the query for GET; the Parameters body plus the query for POST. */
function readRequest(req: OperationRequest, calculator: Calculator, controls: readonly ControlParameter[]): ParsedInput {
  const { metadata } = calculator;
  const fromQuery = queryToInput(metadata, req.query, controls);
  if (req.method.toUpperCase() === 'GET' || req.body === undefined) return fromQuery;
  if (typeof req.body === 'string') throw unsupportedMediaType('Send the Parameters as application/fhir+json');
  const fromBody = parametersToInput(metadata, req.body, controls);
  // Query parameters on a POST (e.g. `?store=true`) add to the body; saying one thing twice is an error.
  for (const [name, location] of Object.entries(fromQuery.locations)) {
    if (Object.hasOwn(fromBody.locations, name)) throw badRequest(`${name} is given in both the query and the body`, [name, fromBody.locations[name]!]);
    fromBody.locations[name] = location;
  }
  return {
    input: { ...fromBody.input, ...fromQuery.input },
    control: { ...fromBody.control, ...fromQuery.control },
    locations: fromBody.locations,
  };
}

/**
 * Runs the calculator, adding to each refusal where the named input came from: the request
 * parameter (as another `expression`) or the record entry (in `diagnostics`).
 */
function calculate(calculator: Calculator, input: Record<string, unknown>, locations: Readonly<Record<string, string>>, sources: readonly InputSource[] = []): Record<string, unknown> {
  try {
    return calculator.calculate(input) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    const issues = err.outcome.issue.map((i): OperationOutcomeIssue => {
      const names = i.expression ?? [];
      const where = names.map((n) => locations[n]).filter((l): l is string => l !== undefined && !names.includes(l));
      const fromRecord = names
        .map((n) => sources.find((s) => s.input === n && s.origin === 'record'))
        .filter((s): s is InputSource => s !== undefined)
        .map((s) => `${s.input} from ${s.sources.join(', ')}${s.effective ? ` (${s.effective})` : ''}${s.recorded ? `: ${s.recorded}` : ''}`);
      return {
        ...i,
        ...(where.length > 0 ? { expression: [...names, ...where] } : {}),
        ...(fromRecord.length > 0 ? { diagnostics: `${i.diagnostics ?? ''} [${fromRecord.join('; ')}]` } : {}),
      };
    });
    throw new OperationOutcomeError(err.status, outcomeOf(issues), err.headers);
  }
}

/** `input` out-parameters: one per input, with its value and where it came from. */
function provenance(calculator: Calculator, sources: readonly InputSource[]): ParametersParameter[] {
  return sources.map((s) => {
    const def = calculator.metadata.inputs.find((d) => d.name === s.input);
    const part: ParametersParameter[] = [
      def ? valueParameter(s.input, inputValueType(def), s.value) : valueParameter(s.input, 'string', String(s.value)),
      { name: 'origin', valueCode: s.origin },
      ...s.sources.map((reference): ParametersParameter => ({ name: 'source', valueReference: { reference } })),
    ];
    if (s.effective !== undefined) part.push({ name: 'effective', valueDateTime: s.effective });
    if (s.ageHours !== undefined) part.push({ name: 'ageHours', valueDecimal: s.ageHours });
    if (s.maxAgeHours !== undefined) part.push({ name: 'maxAgeHours', valueDecimal: s.maxAgeHours });
    if (s.recorded !== undefined) part.push({ name: 'recorded', valueString: s.recorded });
    return { name: 'input', part };
  });
}

function maxAgeHoursOf(parsed: ParsedInput): number | undefined {
  const v = parsed.control.maxAgeHours;
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !(v > 0) || v > NEWS2_MAX_AGE_HOURS_CEILING) {
    throw badRequest(`maxAgeHours must be more than 0 and at most ${NEWS2_MAX_AGE_HOURS_CEILING}`, parsed.locations.maxAgeHours ?? 'maxAgeHours');
  }
  return v;
}

function operationFor(calculator: Calculator, deps: CalculatorOperationDeps): CalculatorOperationHandler {
  const { metadata } = calculator;
  const op = `$${metadata.name}`;
  const controls = controlParameters(metadata.name);

  const systemLevel = (req: OperationRequest): OperationResponse => {
    if (req.method.toUpperCase() === 'POST' && req.body === undefined) {
      throw badRequest(`POST ${op} takes a Parameters body with the inputs (or use GET with query parameters)`, 'Parameters');
    }
    const parsed = readRequest(req, calculator, controls);
    const control = Object.keys(parsed.control)[0];
    if (control !== undefined) {
      throw badRequest(`${control} applies only to /Patient/{id}/${op}, which reads the record`, parsed.locations[control] ?? control);
    }
    const result = calculate(calculator, parsed.input, parsed.locations);
    const body: Parameters = { resourceType: 'Parameters', parameter: resultToParameters(metadata, result) };
    return fhirJson(200, body);
  };

  const instanceLevel = async (req: OperationRequest, patientId: string, caller?: CalculatorCaller): Promise<OperationResponse> => {
    const parsed = readRequest(req, calculator, controls);
    const store = parsed.control.store === true;
    if (store && req.method.toUpperCase() === 'GET') {
      throw methodNotAllowed(`store=true saves an Observation, so it needs POST: a GET must not change the record (https://hl7.org/fhir/R4/operations.html#executing)`);
    }
    if (store && caller && !callerMay(caller.principal, 'Observation', 'c')) {
      throw forbidden('store=true creates an Observation, which the access token\'s scopes do not allow');
    }
    const now = deps.now();
    const maxAgeHours = maxAgeHoursOf(parsed);
    // Only what the caller may see of the record is read: a reading withheld from them neither
    // counts nor shows as a source, and a patient they may not see is unknown (404).
    const gathered: GatheredInputs = await gatherInputs(deps.store, metadata, patientId, {
      now: () => now, supplied: parsed.input, ...(maxAgeHours !== undefined ? { maxAgeHours } : {}), ...(caller ? { visible: caller.visible } : {}),
    });
    const result = calculate(calculator, gathered.input, parsed.locations, gathered.sources);
    if (!store) {
      const body: Parameters = { resourceType: 'Parameters', parameter: [...resultToParameters(metadata, result), ...provenance(calculator, gathered.sources)] };
      return fhirJson(200, body);
    }
    const { version } = await deps.store.create(resultObservation(metadata, patientId, result, gathered, now));
    return fhirJson(201, version.json, {
      location: `${req.baseUrl}/Observation/${version.id}/_history/${version.versionId}`,
      etag: `W/"${version.versionId}"`,
      'last-modified': version.lastUpdated.toUTCString(),
    });
  };

  return async (req, target, caller) => {
    const method = req.method.toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw methodNotAllowed(`${op} takes GET or POST, not ${method}`);
    if (target.type === undefined) return systemLevel(req);
    if (target.type !== 'Patient') throw notFound(`${op} is not defined on ${target.type}; use [base]/${op} or [base]/Patient/{id}/${op}`);
    if (target.id === undefined) throw badRequest(`${op} on Patient needs a patient: [base]/Patient/{id}/${op}`, 'Patient.id');
    return instanceLevel(req, target.id, caller);
  };
}

/**
 * The calculator operations for the FHIR router, keyed by operation name without `$`
 * (`news2`, `egfr`, `bmi`, `cha2ds2-vasc`), each with its CapabilityStatement listing.
 */
export function calculatorOperations(deps: CalculatorOperationDeps): Map<string, { handler: CalculatorOperationHandler; listing: CalculatorOperationListing }> {
  const ops = new Map<string, { handler: CalculatorOperationHandler; listing: CalculatorOperationListing }>();
  for (const calculator of deps.calculators ?? calculatorList) {
    ops.set(calculator.metadata.name, {
      handler: operationFor(calculator, deps),
      listing: calculatorOperationListing(calculator.metadata, deps.canonicalBase ?? CALCULATOR_CANONICAL_BASE),
    });
  }
  return ops;
}
