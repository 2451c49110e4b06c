/**
 * The calculators as a plain JSON API, for clients that do not speak FHIR:
 * - `POST /api/calculators/{name}`: the inputs as a JSON object in, the result exactly as the
 *   calculator returns it out; refusals are OperationOutcome JSON with their status (400
 *   malformed, 404 unknown calculator, 415 not JSON, 422 implausible).
 * - `GET /api/calculators`: every calculator's metadata; `GET /api/calculators/{name}`: one.
 * - `GET /api/openapi.json`: an OpenAPI 3.1 document generated from the same metadata, with a
 *   request and response schema per calculator, so the published contract is the one enforced.
 *
 * Bodies arrive as text (the FHIR adapter replaces Fastify's content-type parsers), so this
 * module parses JSON itself; it registers no parsers of its own.
 *
 * @see https://spec.openapis.org/oas/v3.1.0
 * @see https://hl7.org/fhir/R4/operationoutcome.html
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest, notFound, OperationOutcomeError, unsupportedMediaType } from '../fhir/outcome.js';
import {
  type Calculator, CALCULATOR_CANONICAL_BASE, calculatorList, type CalculatorMetadata, type InputDefinition,
  operationDefinitionUrl, type OutputDefinition,
} from '../operations/calculators/index.js';

/** What the API needs. */
export interface CalculatorApiDeps {
  /** The calculators to serve; defaults to all of them. */
  calculators?: readonly Calculator[];
  /** Absolute URL of this server for the OpenAPI `servers` entry; relative (`/`) when omitted. */
  serverUrl?: string;
  /** Base of the FHIR OperationDefinition canonical URLs linked from the metadata. */
  canonicalBase?: string;
}

const JSON_CT = 'application/json; charset=utf-8';
/** Refusals are OperationOutcome resources, so they carry the FHIR media type, as on `/fhir`. */
const FHIR_CT = 'application/fhir+json; charset=utf-8';

type Schema = Record<string, unknown>;

/** `cha2ds2-vasc` → `Cha2ds2Vasc`, for schema names and operation ids. */
function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function inputPropertySchema(def: InputDefinition): Schema {
  const s: Schema = { description: def.description };
  s.type = def.type === 'integer' ? 'integer' : def.type === 'decimal' ? 'number' : def.type === 'boolean' ? 'boolean' : 'string';
  if (def.values) s.enum = [...def.values];
  if (def.min !== undefined) s.minimum = def.min;
  if (def.max !== undefined) s.maximum = def.max;
  if (def.default !== undefined) s.default = def.default;
  if (def.unit !== undefined) s['x-ucum-unit'] = def.unit;
  return s;
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a calculator's input object. */
export function inputJsonSchema(metadata: CalculatorMetadata): Schema {
  const properties: Record<string, Schema> = {};
  for (const def of metadata.inputs) properties[def.name] = inputPropertySchema(def);
  // Limits that depend on another input's value (creatinine by its unit) as if/then clauses.
  const conditional = metadata.inputs.flatMap((def) =>
    Object.entries(def.limitsByUnit ?? {}).map(([unit, l]) => ({
      if: { properties: { [def.unitFrom!]: { const: unit } }, required: [def.unitFrom!] },
      then: { properties: { [def.name]: { minimum: l.min, maximum: l.max } } },
    })),
  );
  return {
    title: `${metadata.title}: inputs`,
    type: 'object',
    properties,
    required: metadata.inputs.filter((d) => d.required).map((d) => d.name),
    // The calculator refuses unknown keys (a misspelt input must never be silently dropped).
    additionalProperties: false,
    ...(conditional.length > 0 ? { allOf: conditional } : {}),
  };
}

function outputPropertySchema(def: OutputDefinition): Schema {
  let s: Schema;
  if (def.type === 'part') {
    s = outputObjectSchema(def.parts ?? []);
  } else {
    s = { type: def.type === 'integer' ? 'integer' : def.type === 'decimal' ? 'number' : def.type === 'boolean' ? 'boolean' : 'string' };
    if (def.values) s.enum = [...def.values];
    if (def.unit !== undefined) s['x-ucum-unit'] = def.unit;
  }
  s.description = def.description;
  return def.repeats ? { type: 'array', items: s, description: def.description } : s;
}

function outputObjectSchema(defs: readonly OutputDefinition[]): Schema {
  const properties: Record<string, Schema> = {};
  for (const def of defs) properties[def.name] = outputPropertySchema(def);
  return { type: 'object', properties, required: defs.map((d) => d.name), additionalProperties: false };
}

/** JSON Schema of a calculator's result object. */
export function outputJsonSchema(metadata: CalculatorMetadata): Schema {
  return { title: `${metadata.title}: result`, ...outputObjectSchema(metadata.outputs) };
}

const OPERATION_OUTCOME_SCHEMA: Schema = {
  title: 'FHIR R4 OperationOutcome',
  description: 'Why the request was refused; each issue names the input it concerns in `expression`. https://hl7.org/fhir/R4/operationoutcome.html',
  type: 'object',
  required: ['resourceType', 'issue'],
  properties: {
    resourceType: { const: 'OperationOutcome' },
    issue: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['severity', 'code'],
        properties: {
          severity: { enum: ['fatal', 'error', 'warning', 'information'] },
          code: { type: 'string', description: 'https://hl7.org/fhir/R4/valueset-issue-type.html' },
          diagnostics: { type: 'string' },
          expression: { type: 'array', items: { type: 'string' }, description: 'The input(s) concerned, by name.' },
        },
      },
    },
  },
};

const ERROR_RESPONSES: Readonly<Record<number, { name: string; description: string }>> = {
  400: { name: 'BadRequest', description: 'Malformed: not JSON, not an object, a missing or mistyped input, or an unknown input.' },
  404: { name: 'NotFound', description: 'No calculator has that name.' },
  413: { name: 'PayloadTooLarge', description: 'The body is larger than the server accepts.' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not application/json.' },
  422: { name: 'Unprocessable', description: 'Well-formed but implausible: a value outside its documented limits, or inputs that contradict each other.' },
  500: { name: 'InternalError', description: 'A server fault; the outcome gives only a request id.' },
};

const errorRef = (status: number) => ({ $ref: `#/components/responses/${ERROR_RESPONSES[status]!.name}` });

const METADATA_SCHEMA: Schema = {
  type: 'object',
  description: 'A calculator\'s metadata: sources, intended use, limitations, inputs (types, UCUM units, limits, codes) and outputs.',
  required: ['name', 'title', 'version', 'status', 'source', 'intendedUse', 'limitations', 'inputs', 'outputs', 'links'],
  properties: {
    name: { type: 'string' },
    title: { type: 'string' },
    version: { type: 'string' },
    status: { enum: ['draft', 'active'] },
    source: { type: 'object', properties: { citation: { type: 'string' }, url: { type: 'string', format: 'uri' } } },
    additionalSources: { type: 'array', items: { type: 'object' } },
    intendedUse: { type: 'string' },
    limitations: { type: 'array', items: { type: 'string' } },
    inputs: { type: 'array', items: { type: 'object' } },
    outputs: { type: 'array', items: { type: 'object' } },
    links: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** The metadata served for one calculator, with links to its endpoints. */
function describe(c: Calculator, canonicalBase: string): Record<string, unknown> {
  const { name } = c.metadata;
  return {
    ...c.metadata,
    links: {
      calculate: `/api/calculators/${name}`,
      fhirOperation: `/fhir/$${name}`,
      fhirPatientOperation: `/fhir/Patient/{id}/$${name}`,
      operationDefinition: operationDefinitionUrl(name, canonicalBase),
    },
  };
}

/**
 * The OpenAPI 3.1 document for the calculator API, generated from the calculators' metadata.
 * https://spec.openapis.org/oas/v3.1.0
 */
export function calculatorOpenApi(calculators: readonly Calculator[] = calculatorList, opts: { serverUrl?: string } = {}): Record<string, unknown> {
  const schemas: Record<string, Schema> = { OperationOutcome: OPERATION_OUTCOME_SCHEMA, CalculatorMetadata: METADATA_SCHEMA };
  const paths: Record<string, unknown> = {
    '/api/calculators': {
      get: {
        operationId: 'listCalculators',
        summary: 'Every calculator with its metadata',
        responses: {
          200: {
            description: 'The calculators.',
            content: { 'application/json': { schema: { type: 'object', required: ['calculators'], properties: { calculators: { type: 'array', items: { $ref: '#/components/schemas/CalculatorMetadata' } } } } } },
          },
        },
      },
    },
    '/api/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        responses: { 200: { description: 'OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
  for (const c of calculators) {
    const m = c.metadata;
    const id = pascal(m.name);
    schemas[`${id}Input`] = inputJsonSchema(m);
    schemas[`${id}Result`] = outputJsonSchema(m);
    const sources = [m.source, ...m.additionalSources].map((s) => `- [${s.citation}](${s.url})`).join('\n');
    paths[`/api/calculators/${m.name}`] = {
      get: {
        operationId: `get${id}Metadata`,
        summary: `${m.title}: metadata`,
        responses: { 200: { description: 'The calculator\'s metadata.', content: { 'application/json': { schema: { $ref: '#/components/schemas/CalculatorMetadata' } } } } },
      },
      post: {
        operationId: `calculate${id}`,
        summary: m.title,
        description: `${m.intendedUse}\n\nStatus: **${m.status}**${m.status === 'draft' ? ' (not for use in care until signed off by a clinical safety case)' : ''}.\n\n` +
          `Sources:\n${sources}\n\nLimitations:\n${m.limitations.map((l) => `- ${l}`).join('\n')}`,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}Input` } } } },
        responses: {
          200: { description: 'The result.', content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}Result` } } } },
          400: errorRef(400), 413: errorRef(413), 415: errorRef(415), 422: errorRef(422), 500: errorRef(500),
        },
      },
    };
  }
  const responses = Object.fromEntries(Object.values(ERROR_RESPONSES).map(({ name, description }) => [
    name, { description, content: { 'application/fhir+json': { schema: { $ref: '#/components/schemas/OperationOutcome' } } } },
  ]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera clinical calculators',
      version: '1.0.0',
      summary: 'Clinical calculators (NEWS2, eGFR, BMI, CHA₂DS₂-VASc) as plain JSON.',
      description: 'Each calculator validates its inputs against documented limits and refuses rather than guess. The same ' +
        'calculators are FHIR operations at /fhir/$name (inputs given) and /fhir/Patient/{id}/$name (inputs read from the record).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: opts.serverUrl ?? '/' }],
    paths,
    components: { schemas, responses },
  };
}

function sendOutcome(reply: FastifyReply, err: OperationOutcomeError): FastifyReply {
  return reply.code(err.status).headers(err.headers).header('content-type', FHIR_CT).send(JSON.stringify(err.outcome));
}

/** The body as a JSON value: parsed here when it arrives as text, as-is if a parser already did it. */
function jsonBody(body: unknown, contentType: string | undefined): unknown {
  if (body === undefined || body === null || body === '') throw badRequest('The body must be a JSON object of the calculator\'s inputs');
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!/^application\/(.+\+)?json$/.test(ct)) throw unsupportedMediaType(ct ? `Content-Type ${ct} is not supported; send application/json` : 'Content-Type is missing; send application/json');
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    // The parser's message can quote the body; the client has it already, so say only what is wrong.
    throw badRequest('The body is not valid JSON');
  }
}

/**
 * Registers `GET /api/calculators`, `GET|POST /api/calculators/:name` and `GET /api/openapi.json`.
 * Client errors are answered here as OperationOutcomes; anything else goes to the app's error
 * handler (a 500 with only a request id).
 */
export function registerCalculatorApi(app: FastifyInstance, deps: CalculatorApiDeps = {}): void {
  const calculators = deps.calculators ?? calculatorList;
  const canonicalBase = deps.canonicalBase ?? CALCULATOR_CANONICAL_BASE;
  const byName = new Map(calculators.map((c) => [c.metadata.name, c]));
  // Everything but the calculation itself is fixed, so serialise it once.
  const openApiText = JSON.stringify(calculatorOpenApi(calculators, deps.serverUrl !== undefined ? { serverUrl: deps.serverUrl } : {}));
  const listText = JSON.stringify({ calculators: calculators.map((c) => describe(c, canonicalBase)) });
  const metadataText = new Map(calculators.map((c) => [c.metadata.name, JSON.stringify(describe(c, canonicalBase))]));
  const find = (name: string): Calculator => {
    const c = byName.get(name);
    if (!c) throw notFound(`There is no calculator '${name.slice(0, 64)}'; GET /api/calculators lists them`);
    return c;
  };

  app.get('/api/openapi.json', async (_req, reply) => reply.header('content-type', JSON_CT).send(openApiText));
  app.get('/api/calculators', async (_req, reply) => reply.header('content-type', JSON_CT).send(listText));
  app.get<{ Params: { name: string } }>('/api/calculators/:name', async (req, reply) => {
    try {
      return reply.header('content-type', JSON_CT).send(metadataText.get(find(req.params.name).metadata.name));
    } catch (err) {
      if (err instanceof OperationOutcomeError) return sendOutcome(reply, err);
      throw err;
    }
  });
  app.post<{ Params: { name: string } }>('/api/calculators/:name', async (req, reply) => {
    try {
      const calculator = find(req.params.name);
      const result = calculator.calculate(jsonBody(req.body, req.headers['content-type']));
      return reply.code(200).header('content-type', JSON_CT).send(JSON.stringify(result));
    } catch (err) {
      if (err instanceof OperationOutcomeError) return sendOutcome(reply, err);
      throw err;
    }
  });
}
