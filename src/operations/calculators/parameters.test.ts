/**
 * FHIR Parameters ⇄ calculator inputs and results (https://hl7.org/fhir/R4/parameters.html).
 */
import { describe, expect, it } from 'vitest';
import { calculatorList, calculators, getCalculator } from '../../calculators/index.js';
import { catchOutcome, expressionsOf } from '../../calculators/testing.js';
import { validateResource } from '../../fhir/validation/index.js';
import { MAX_AGE_HOURS_PARAMETER, STORE_PARAMETER } from './operation-definitions.js';
import {
  inputToParameters, type Parameters, parametersToInput, parametersToResult, queryToInput, resultToParameters,
} from './parameters.js';
import { EXAMPLE_INPUTS } from './testing.js';

const news2 = calculators.news2.metadata;
const egfr = calculators.egfr.metadata;
const params = (...parameter: unknown[]) => ({ resourceType: 'Parameters', parameter });

describe.each(calculatorList.map((c) => [c.metadata.name, c] as const))('Parameters round trip: %s', (name, calculator) => {
  const input = EXAMPLE_INPUTS[name]!;
  const result = calculator.calculate(input) as Record<string, unknown>;

  it('input → Parameters → input is the identity, and the Parameters are valid R4', () => {
    const p = inputToParameters(calculator.metadata, input);
    expect(validateResource(p)).toEqual([]);
    expect(parametersToInput(calculator.metadata, p).input).toEqual(input);
  });

  it('result → Parameters → result is the identity, and the Parameters are valid R4', () => {
    const p: Parameters = { resourceType: 'Parameters', parameter: resultToParameters(calculator.metadata, result) };
    expect(validateResource(p)).toEqual([]);
    expect(parametersToResult(calculator.metadata, p)).toEqual(result);
  });

  it('the calculator gives the same result from the round-tripped input', () => {
    const back = parametersToInput(calculator.metadata, inputToParameters(calculator.metadata, input)).input;
    expect(calculator.calculate(back)).toEqual(result);
  });
});

describe('value types', () => {
  it('inputs travel as their metadata type (integer, decimal, boolean, code)', () => {
    const p = inputToParameters(news2, EXAMPLE_INPUTS.news2!);
    expect(p.parameter).toContainEqual({ name: 'respiratoryRate', valueInteger: 18 });
    expect(p.parameter).toContainEqual({ name: 'temperature', valueDecimal: 37.1 });
    expect(p.parameter).toContainEqual({ name: 'onOxygen', valueBoolean: false });
    expect(p.parameter).toContainEqual({ name: 'consciousness', valueCode: 'A' });
  });

  it('scores are valueInteger, groups are parts, flags valueBoolean, bands valueCode', () => {
    const out = resultToParameters(news2, calculators.news2.calculate({ ...EXAMPLE_INPUTS.news2, respiratoryRate: 26 }));
    expect(out[0]).toEqual({ name: 'score', valueInteger: 3 });
    expect(out[1]!.name).toBe('subscores');
    expect(out[1]!.part).toContainEqual({ name: 'respiratoryRate', valueInteger: 3 });
    expect(out).toContainEqual({ name: 'band', valueCode: 'low-medium' });
    expect(out).toContainEqual({ name: 'redFlag', valueBoolean: true });
  });

  it('outputs with a real UCUM unit are valueQuantity (eGFR, BMI)', () => {
    const e = resultToParameters(egfr, calculators.egfr.calculate(EXAMPLE_INPUTS.egfr));
    expect(e[0]).toEqual({ name: 'egfr', valueQuantity: { value: 71, unit: 'mL/min/{1.73_m2}', system: 'http://unitsofmeasure.org', code: 'mL/min/{1.73_m2}' } });
    const b = resultToParameters(calculators.bmi.metadata, calculators.bmi.calculate(EXAMPLE_INPUTS.bmi));
    expect(b[0]).toEqual({ name: 'bmi', valueQuantity: { value: 28.4, unit: 'kg/m2', system: 'http://unitsofmeasure.org', code: 'kg/m2' } });
  });

  it('a repeating output (BMI notes) is one parameter per item', () => {
    const result = calculators.bmi.calculate({ weightKg: 70, heightM: 1.75, age: 70 });
    const notes = resultToParameters(calculators.bmi.metadata, result).filter((p) => p.name === 'notes');
    expect(notes.length).toBe(result.notes.length);
    expect(notes.length).toBeGreaterThan(1);
    expect(notes.every((n) => typeof n.valueString === 'string')).toBe(true);
  });
});

describe('reading inputs from Parameters', () => {
  it('accepts valueDecimal or valueQuantity (in the documented UCUM unit, or none) for a number', () => {
    const p = params(
      { name: 'respiratoryRate', valueDecimal: 18 },
      { name: 'temperature', valueQuantity: { value: 37.2, unit: '°C', system: 'http://unitsofmeasure.org', code: 'Cel' } },
      { name: 'systolicBP', valueQuantity: { value: 120 } },
    );
    expect(parametersToInput(news2, p).input).toEqual({ respiratoryRate: 18, temperature: 37.2, systolicBP: 120 });
  });

  it('refuses a quantity in another unit (°F), naming the unit element', () => {
    const err = catchOutcome(() => parametersToInput(news2, params({ name: 'temperature', valueQuantity: { value: 99.1, code: '[degF]', system: 'http://unitsofmeasure.org' } })));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['Parameters.parameter[0].valueQuantity.code']);
    expect(err.outcome.issue[0]!.diagnostics).toMatch(/Cel/);
  });

  it('refuses a non-UCUM quantity and a quantity with a comparator', () => {
    const err = catchOutcome(() => parametersToInput(news2, params(
      { name: 'spo2', valueQuantity: { value: 95, system: 'http://example.org/units', code: 'pct' } },
      { name: 'heartRate', valueQuantity: { value: 40, comparator: '<', code: '/min' } },
    )));
    expect(expressionsOf(err)).toEqual(['Parameters.parameter[0].valueQuantity.system', 'Parameters.parameter[1].valueQuantity.comparator']);
  });

  it('takes creatinine\'s unit from its valueQuantity, and refuses a contradicting creatinineUnit', () => {
    const ok = parametersToInput(egfr, params({ name: 'creatinine', valueQuantity: { value: 80, unit: 'µmol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' } }));
    expect(ok.input).toEqual({ creatinine: 80, creatinineUnit: 'umol/L' });
    const err = catchOutcome(() => parametersToInput(egfr, params(
      { name: 'creatinineUnit', valueCode: 'mg/dL' },
      { name: 'creatinine', valueQuantity: { value: 80, code: 'umol/L' } },
    )));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['Parameters.parameter[1].valueQuantity.code', 'Parameters.parameter[0]']);
  });

  it('reports every shape problem at once, each naming its parameter', () => {
    const err = catchOutcome(() => parametersToInput(news2, params(
      { name: 'respiratoryRate', valueInteger: 18 },
      { valueInteger: 3 },
      { name: 'onOxygen', valueString: 'false' },
      { name: 'spo2', valueInteger: 96, valueDecimal: 96 },
      { name: 'respiratoryRate', valueInteger: 19 },
      'not an object',
      { name: 'heartRate', valueInteger: 80.5 },
    )));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual([
      'Parameters.parameter[1]', 'Parameters.parameter[2].valueString', 'Parameters.parameter[3]', 'Parameters.parameter[4]',
      'Parameters.parameter[5]', 'Parameters.parameter[6].valueInteger',
    ]);
  });

  it('refuses a body that is not Parameters', () => {
    for (const body of [undefined, null, [], { resourceType: 'Patient' }, 'text']) {
      const err = catchOutcome(() => parametersToInput(news2, body));
      expect(err.status).toBe(400);
      expect(expressionsOf(err)).toEqual(['Parameters']);
    }
    expect(expressionsOf(catchOutcome(() => parametersToInput(news2, { resourceType: 'Parameters', parameter: {} })))).toEqual(['Parameters.parameter']);
  });

  it('accepts Parameters with no parameter element as no inputs', () => {
    expect(parametersToInput(news2, { resourceType: 'Parameters' })).toEqual({ input: {}, control: {}, locations: {} });
  });

  it('passes unknown names on, so the calculator refuses them with its own explanation (eGFR race)', () => {
    const parsed = parametersToInput(egfr, params(...inputToParameters(egfr, EXAMPLE_INPUTS.egfr!).parameter!, { name: 'race', valueCode: 'black' }));
    expect(parsed.input.race).toBe('black');
    expect(parsed.locations.race).toBe('Parameters.parameter[5]');
    const err = catchOutcome(() => calculators.egfr.calculate(parsed.input));
    expect(expressionsOf(err)).toEqual(['race']);
    expect(err.outcome.issue[0]!.diagnostics).toMatch(/NICE NG203/);
  });

  it('reads control parameters (store, maxAgeHours) apart from the inputs, typed', () => {
    const controls = [STORE_PARAMETER, MAX_AGE_HOURS_PARAMETER];
    const parsed = parametersToInput(news2, params({ name: 'store', valueBoolean: true }, { name: 'maxAgeHours', valueDecimal: 12 }, { name: 'spo2Scale', valueInteger: 2 }), controls);
    expect(parsed.control).toEqual({ store: true, maxAgeHours: 12 });
    expect(parsed.input).toEqual({ spo2Scale: 2 });
    const err = catchOutcome(() => parametersToInput(news2, params({ name: 'store', valueString: 'yes' }), controls));
    expect(expressionsOf(err)).toEqual(['Parameters.parameter[0].valueString']);
  });
});

describe('reading inputs from a GET query', () => {
  it('types values by the metadata: numbers, booleans, codes', () => {
    const parsed = queryToInput(news2, [['respiratoryRate', '18'], ['onOxygen', 'true'], ['consciousness', 'A'], ['temperature', '37.5'], ['_format', 'json']]);
    expect(parsed.input).toEqual({ respiratoryRate: 18, onOxygen: true, consciousness: 'A', temperature: 37.5 });
  });

  it('refuses malformed numbers and booleans and repeated names, naming the query parameter', () => {
    const err = catchOutcome(() => queryToInput(news2, [['respiratoryRate', 'eighteen'], ['onOxygen', 'yes'], ['spo2', '96'], ['spo2', '97']]));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['respiratoryRate', 'onOxygen', 'spo2']);
  });

  it('reads controls from the query too (POST …?store=true)', () => {
    expect(queryToInput(news2, [['store', 'true'], ['maxAgeHours', '6']], [STORE_PARAMETER, MAX_AGE_HOURS_PARAMETER]).control).toEqual({ store: true, maxAgeHours: 6 });
  });
});

describe('parametersToResult', () => {
  it('refuses a response that is not Parameters', () => {
    expect(catchOutcome(() => parametersToResult(news2, { resourceType: 'Bundle' })).status).toBe(400);
  });

  it('refuses an output of the wrong type', () => {
    const err = catchOutcome(() => parametersToResult(getCalculator('news2')!.metadata, params({ name: 'score', valueString: '3' })));
    expect(err.status).toBe(400);
  });
});
