/**
 * The plain JSON calculator API and its generated OpenAPI 3.1 document, in-process through
 * Fastify's inject() (https://spec.openapis.org/oas/v3.1.0).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculatorList, calculators } from '../calculators/index.js';
import { catchOutcome } from '../calculators/testing.js';
import { EXAMPLE_INPUTS } from '../operations/calculators/testing.js';
import { calculatorOpenApi, registerCalculatorApi } from './calculator-api.js';

type Schema = Record<string, any>;

/**
 * Just enough JSON Schema (2020-12) to check our own documents against real results: type,
 * enum, const, minimum/maximum, required, properties, additionalProperties: false, items,
 * allOf with if/then, and local $ref.
 */
function violations(schema: Schema, value: unknown, root: Schema, at = '$'): string[] {
  if (schema.$ref) return violations(schema.$ref.split('/').slice(1).reduce((s: Schema, k: string) => s[k], root), value, root, at);
  const out: string[] = [];
  if ('const' in schema && value !== schema.const) out.push(`${at}: expected ${schema.const}`);
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: ${String(value)} not in enum`);
  const isObj = typeof value === 'object' && value !== null && !Array.isArray(value);
  const typeOk: Record<string, boolean> = {
    integer: Number.isInteger(value), number: typeof value === 'number', string: typeof value === 'string',
    boolean: typeof value === 'boolean', object: isObj, array: Array.isArray(value),
  };
  if (schema.type && !typeOk[schema.type]) return [...out, `${at}: not ${schema.type}`];
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: above ${schema.maximum}`);
  }
  if (isObj) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) out.push(`${at}.${r}: missing`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.properties?.[k]) out.push(...violations(schema.properties[k], v, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${k}: not allowed`);
    }
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...violations(schema.items, v, root, `${at}[${i}]`)));
  for (const sub of schema.allOf ?? []) {
    if (sub.if && sub.then) {
      if (violations(sub.if, value, root, at).length === 0) out.push(...violations(sub.then, value, root, at));
    } else out.push(...violations(sub, value, root, at));
  }
  return out;
}

/** A server set up as Tessera's adapter sets it up: every body arrives as text. */
async function textBodyServer(): Promise<FastifyInstance> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  registerCalculatorApi(app, { serverUrl: 'http://tessera.test' });
  await app.ready();
  return app;
}

describe('calculator API', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await textBodyServer();
  });
  afterAll(async () => app.close());

  const post = (name: string, payload: string | object, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: `/api/calculators/${name}`, headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  it.each(calculatorList.map((c) => [c.metadata.name, c] as const))('POST /api/calculators/%s returns exactly what the calculator returns', async (name, calculator) => {
    const res = await post(name, EXAMPLE_INPUTS[name]!);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(calculator.calculate(EXAMPLE_INPUTS[name]));
  });

  it('an implausible value is 422 with an OperationOutcome naming the input', async () => {
    const res = await post('news2', { ...EXAMPLE_INPUTS.news2, temperature: 98.6 });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const body = res.json();
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0].expression).toEqual(['temperature']);
    expect(body.issue[0].diagnostics).toMatch(/°F/);
  });

  it('a missing or mistyped input is 400 naming it; so is an unknown one', async () => {
    const missing = await post('bmi', { weightKg: 70 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().issue[0].expression).toEqual(['heightM']);
    const unknown = await post('egfr', { ...EXAMPLE_INPUTS.egfr, race: 'black' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issue[0].expression).toEqual(['race']);
  });

  it('malformed JSON is 400 without echoing the body; a non-object is 400', async () => {
    const res = await post('bmi', '{"weightKg": 70, "heightM": ');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'The body is not valid JSON' }] });
    expect((await post('bmi', '[70, 1.75]')).statusCode).toBe(400);
  });

  it('an empty body is 400; a body that is not JSON is 415', async () => {
    const empty = await app.inject({ method: 'POST', url: '/api/calculators/bmi' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().resourceType).toBe('OperationOutcome');
    const text = await post('bmi', 'weightKg=70&heightM=1.75', 'application/x-www-form-urlencoded');
    expect(text.statusCode).toBe(415);
    expect(text.json().issue[0].code).toBe('not-supported');
  });

  it('an unknown calculator is 404, for POST and GET', async () => {
    const res = await post('qrisk3', {});
    expect(res.statusCode).toBe(404);
    expect(res.json().issue[0].code).toBe('not-found');
    expect((await app.inject({ method: 'GET', url: '/api/calculators/toString' })).statusCode).toBe(404);
  });

  it('GET /api/calculators lists every calculator with its metadata and links', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/calculators' });
    expect(res.statusCode).toBe(200);
    const list = res.json().calculators;
    expect(list.map((c: { name: string }) => c.name)).toEqual(['news2', 'egfr', 'bmi', 'cha2ds2-vasc']);
    expect(list[0]).toMatchObject({
      ...JSON.parse(JSON.stringify(calculators.news2.metadata)),
      links: { calculate: '/api/calculators/news2', fhirOperation: '/fhir/$news2', fhirPatientOperation: '/fhir/Patient/{id}/$news2' },
    });
    const one = await app.inject({ method: 'GET', url: '/api/calculators/egfr' });
    expect(one.json().name).toBe('egfr');
  });

  it('also works behind Fastify\'s own JSON parser (the body arrives already parsed)', async () => {
    const plain = Fastify();
    registerCalculatorApi(plain);
    const res = await plain.inject({ method: 'POST', url: '/api/calculators/bmi', payload: { weightKg: 70, heightM: 1.75 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().bmi).toBe(22.9);
    await plain.close();
  });
});

describe('OpenAPI document', () => {
  let app: FastifyInstance;
  let doc: Schema;
  beforeAll(async () => {
    app = await textBodyServer();
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => app.close());

  it('is OpenAPI 3.1 with a path per calculator and the listing paths', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'http://tessera.test' }]);
    expect(Object.keys(doc.paths)).toEqual(['/api/calculators', '/api/openapi.json', ...calculatorList.map((c) => `/api/calculators/${c.metadata.name}`)]);
    const ids = Object.values(doc.paths).flatMap((p: any) => Object.values(p).map((op: any) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(calculatorList.map((c) => [c.metadata.name, c] as const))('%s: the example input and its real result conform to the published schemas', (name, calculator) => {
    const post = doc.paths[`/api/calculators/${name}`].post;
    const input = post.requestBody.content['application/json'].schema;
    const output = post.responses[200].content['application/json'].schema;
    expect(violations(input, EXAMPLE_INPUTS[name], doc)).toEqual([]);
    expect(violations(output, calculator.calculate(EXAMPLE_INPUTS[name]), doc)).toEqual([]);
  });

  it('every documented error response resolves to the OperationOutcome schema, and a real refusal conforms to it', async () => {
    const responses = doc.paths['/api/calculators/news2'].post.responses;
    expect(Object.keys(responses)).toEqual(['200', '400', '413', '415', '422', '500']);
    for (const status of ['400', '413', '415', '422', '500']) {
      const name = responses[status].$ref.split('/').pop();
      expect(doc.components.responses[name].content['application/fhir+json'].schema).toEqual({ $ref: '#/components/schemas/OperationOutcome' });
    }
    const refusal = await app.inject({ method: 'POST', url: '/api/calculators/news2', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(violations(doc.components.schemas.OperationOutcome, refusal.json(), doc)).toEqual([]);
  });

  it('the schemas tell the truth about limits: values the calculator refuses violate them too', () => {
    const news2 = doc.components.schemas.News2Input;
    expect(violations(news2, { ...EXAMPLE_INPUTS.news2, respiratoryRate: 81 }, doc)).toEqual(['$.respiratoryRate: above 80']);
    expect(violations(news2, { ...EXAMPLE_INPUTS.news2, consciousness: 'X' }, doc)).toEqual(['$.consciousness: X not in enum']);
    expect(violations(news2, { ...EXAMPLE_INPUTS.news2, oxygen: true }, doc)).toEqual(['$.oxygen: not allowed']);
    // Creatinine limits depend on its unit (if/then).
    const egfr = doc.components.schemas.EgfrInput;
    const mgDl = { ...EXAMPLE_INPUTS.egfr, creatinine: 80, creatinineUnit: 'mg/dL' };
    expect(violations(egfr, mgDl, doc)).toEqual([expect.stringMatching(/^\$\.creatinine: above 33\.9366/)]);
    expect(catchOutcome(() => calculators.egfr.calculate(mgDl)).status).toBe(422);
    expect(violations(egfr, { ...mgDl, creatinineUnit: 'umol/L' }, doc)).toEqual([]);
  });

  it('is the same document the generator returns', () => {
    expect(doc).toEqual(JSON.parse(JSON.stringify(calculatorOpenApi(calculatorList, { serverUrl: 'http://tessera.test' }))));
  });
});
